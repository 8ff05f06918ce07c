import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeTimes } from './ffmpeg-process';

/**
 * Segments written the way the recorder writes them (ffmpeg's segment muxer, Matroska,
 * `-reset_timestamps 0`): each keeps its place on the track's timeline, and its length is what
 * it holds, not where it ends. The crash test found the difference: a later segment read as
 * twice its start too long covered the gap a dead recording node left.
 */
const dir = mkdtempSync(join(tmpdir(), 'confer-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the length of a recorded segment', () => {
  it('is what the segment holds, for a segment late in the track as for the first', async () => {
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=440:r=48000', '-t', '13'],
      ...['-c:a', 'libopus', '-f', 'segment', '-segment_time', '4', '-segment_format', 'matroska'],
      ...['-reset_timestamps', '0', join(dir, 'seg_%05d.mkv')],
    ]);
    const times = await Promise.all(
      [0, 1, 2, 3].map((i) => probeTimes('ffprobe', join(dir, `seg_0000${i}.mkv`))),
    );
    // Starts at 0, 4, 8 and 12 s on the track's timeline; 4, 4, 4 and 1 s long.
    times.forEach((t, i) => expect(t.startSeconds).toBeCloseTo(4 * i, 1));
    expect(times.map((t) => Math.round(t.durationSeconds))).toEqual([4, 4, 4, 1]);
    // The track's end from its first and last segments, as the composer reads it.
    const first = times[0]!;
    const last = times[3]!;
    expect(last.startSeconds + last.durationSeconds - first.startSeconds).toBeCloseTo(13, 1);
  });

  it('says a file with no media in it is not a media file', async () => {
    execFileSync('sh', ['-c', `echo not media > ${join(dir, 'junk.mkv')}`]);
    await expect(probeTimes('ffprobe', join(dir, 'junk.mkv'))).rejects.toThrow();
  });
});
