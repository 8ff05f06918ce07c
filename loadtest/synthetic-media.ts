import type {
  RTCAudioSource as AudioSource,
  RTCVideoSource as VideoSource,
} from '@roamhq/wrtc/types/nonstandard';
import { createTexture, writeStamp, type StampTexture } from './frame-stamp';
import { RTCAudioSource, RTCVideoSource } from './wrtc';

/**
 * Synthetic camera and microphone for every publisher of the run, on two shared timers (not one
 * per publisher: timers are what a tester with hundreds of clients spends its time on).
 * Video frames are flat cells carrying their send time (frame-stamp.ts), cheap to fill and to
 * encode; audio is a tone while the publisher "speaks" and silence otherwise (Opus DTX then
 * sends almost nothing, as a muted-in-practice listener does in a real meeting).
 */

const FPS = 30;
const AUDIO_RATE = 48_000;
const CHUNK_MS = 10;
const CHUNK = (AUDIO_RATE * CHUNK_MS) / 1000;

export interface SyntheticPublisher {
  videoTrack: MediaStreamTrack | null;
  audioTrack: MediaStreamTrack;
  speaking: boolean;
  stop(): void;
}

interface VideoFeed {
  source: VideoSource;
  frame: { width: number; height: number; data: Uint8ClampedArray };
  texture: StampTexture;
}

export class SyntheticMedia {
  private readonly video = new Set<VideoFeed>();
  private readonly audio = new Set<{ source: AudioSource; publisher: SyntheticPublisher }>();
  private readonly tone = new Int16Array(CHUNK);
  private readonly silence = new Int16Array(CHUNK);
  private readonly timers: NodeJS.Timeout[] = [];
  private audioStartedAt = 0;
  private audioChunksSent = 0;
  private frameCount = 0;
  /** One texture per picture size, shared by every publisher of that size. */
  private readonly textures = new Map<string, StampTexture>();

  constructor(private readonly now: () => number) {
    // 400 Hz: four whole periods in each 10 ms chunk, so chunks join without clicks.
    for (let i = 0; i < CHUNK; i++)
      this.tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 400 * i) / AUDIO_RATE));
  }

  start(): void {
    this.audioStartedAt = this.now();
    this.timers.push(setInterval(() => this.sendFrames(), 1000 / FPS));
    this.timers.push(setInterval(() => this.sendAudio(), CHUNK_MS));
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  createPublisher(options: { width: number; height: number; video: boolean }): SyntheticPublisher {
    const audioSource = new RTCAudioSource();
    let feed: VideoFeed | undefined;
    if (options.video) {
      const { width, height } = options;
      const data = new Uint8ClampedArray((width * height * 3) / 2);
      data.fill(128, width * height); // neutral colour planes, written once
      const key = `${width}x${height}`;
      const texture = this.textures.get(key) ?? createTexture(width, height);
      this.textures.set(key, texture);
      feed = { source: new RTCVideoSource(), frame: { width, height, data }, texture };
      this.video.add(feed);
    }
    const publisher: SyntheticPublisher = {
      videoTrack: feed ? (feed.source.createTrack() as unknown as MediaStreamTrack) : null,
      audioTrack: audioSource.createTrack() as unknown as MediaStreamTrack,
      speaking: false,
      stop: () => {
        if (feed) this.video.delete(feed);
        this.audio.delete(entry);
        publisher.videoTrack?.stop();
        publisher.audioTrack.stop();
      },
    };
    const entry = { source: audioSource, publisher };
    this.audio.add(entry);
    return publisher;
  }

  private sendFrames(): void {
    const stamp = Math.floor(this.now()) & 0xffff;
    const shift = this.frameCount++;
    for (const { source, frame, texture } of this.video) {
      writeStamp(frame.data, frame.width, frame.height, stamp, texture, shift);
      source.onFrame(frame as unknown as Parameters<VideoSource['onFrame']>[0]);
    }
  }

  /** Audio is real time: a late timer is caught up with the chunks it missed (at most 100 ms). */
  private sendAudio(): void {
    const due = Math.floor((this.now() - this.audioStartedAt) / CHUNK_MS);
    const behind = due - this.audioChunksSent;
    const count = Math.min(behind, 10);
    this.audioChunksSent = due;
    for (let i = 0; i < count; i++)
      for (const { source, publisher } of this.audio)
        source.onData({
          samples: publisher.speaking ? this.tone : this.silence,
          sampleRate: AUDIO_RATE,
          bitsPerSample: 16,
          channelCount: 1,
          numberOfFrames: CHUNK,
        });
  }
}
