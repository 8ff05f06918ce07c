import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { syncKey } from '../../domain/meeting/recording.keys';
import type { ObjectStore } from '../../domain/ports/object-store';
import { withStoreRetry, type RetryPolicy } from './object-retry';
import type { RecordingPlan } from './recording-plan';

export interface StageContext {
  meetingId: string;
  objects: ObjectStore;
  workDir: string;
  retry: RetryPolicy;
  signal?: AbortSignal;
  onRetry?(attempt: number, error: unknown): void;
}

export const trackDir = (workDir: string, trackId: string) => join(workDir, 'tracks', trackId);
export const segmentPath = (workDir: string, trackId: string, sequence: number) =>
  join(trackDir(workDir, trackId), `seg_${String(sequence).padStart(5, '0')}.mkv`);
export const syncPath = (workDir: string, trackId: string) => join(trackDir(workDir, trackId), 'sync.json');

/**
 * Stage 1: every stored segment of every track, and each track's timing, copied to the work
 * directory. A file already there (a resumed job) is not fetched again; each arrives whole
 * (written aside, then renamed).
 */
export async function fetchSegments(
  plan: RecordingPlan,
  ctx: StageContext,
  onFraction: (fraction: number) => void,
): Promise<void> {
  const total = plan.tracks.reduce((n, t) => n + t.segments.length + 1, 0);
  let done = 0;
  for (const track of plan.tracks) {
    await mkdir(trackDir(ctx.workDir, track.trackId), { recursive: true });
    const wanted = [
      ...track.segments.map((s) => ({
        key: s.key,
        path: segmentPath(ctx.workDir, track.trackId, s.sequence),
        optional: false,
      })),
      {
        key: syncKey(ctx.meetingId, plan.recordingId, track.trackId),
        path: syncPath(ctx.workDir, track.trackId),
        optional: true,
      },
    ];
    for (const item of wanted) {
      if (!existsSync(item.path)) await download(ctx, item.key, item.path, item.optional);
      onFraction(++done / total);
    }
  }
}

/** One object to `path`, whole or not at all (written aside under `partName`, then renamed). */
export async function download(
  ctx: StageContext,
  key: string,
  path: string,
  optional: boolean,
  partName = `${path}.part`,
): Promise<void> {
  await withStoreRetry(
    async () => {
      if (optional && !(await ctx.objects.head(key))) return;
      const body = await ctx.objects.get(key);
      const part = partName;
      await pipeline(Readable.from(body), createWriteStream(part));
      await rename(part, path);
    },
    ctx.retry,
    ctx.signal,
    ctx.onRetry,
  );
}
