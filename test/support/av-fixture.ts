import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Files for Chromium's fake camera and microphone (`--use-file-for-fake-video-capture`,
 * `--use-file-for-fake-audio-capture`, both looped): a black picture that turns white for 100 ms
 * and a 1 kHz beep of 100 ms, at the start of every period. Made offline with ffmpeg.
 */
export function makeFlashBeepFiles(dir: string, periodSeconds = 2): { video: string; audio: string } {
  const video = join(dir, 'flash.y4m');
  const audio = join(dir, 'beep.wav');
  const quiet = ['-hide_banner', '-loglevel', 'error', '-y'];
  execFileSync('ffmpeg', [
    ...quiet,
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=320x240:r=30:d=${periodSeconds},drawbox=c=white:t=fill:enable='lt(t,0.1)'`,
    '-pix_fmt',
    'yuv420p',
    video,
  ]);
  execFileSync('ffmpeg', [
    ...quiet,
    '-f',
    'lavfi',
    '-i',
    `aevalsrc='if(lt(t,0.1),0.8*sin(2*PI*1000*t),0)':s=48000:c=mono:d=${periodSeconds}`,
    '-c:a',
    'pcm_s16le',
    audio,
  ]);
  return { video, audio };
}

/** Chromium flags that play the files as the camera and the microphone. */
export const fakeDeviceFileFlags = (files: { video: string; audio: string }) => [
  `--use-file-for-fake-video-capture=${files.video}`,
  `--use-file-for-fake-audio-capture=${files.audio}`,
];
