import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore } from '../../domain/ports/object-store';
import { download, segmentPath, trackDir } from './fetch-segments';
import type { RetryPolicy } from './object-retry';
import { probeTimesOnce } from './probe-cache';

export interface PrefetchDeps {
  objects: ObjectStore;
  workRoot: string;
  ffprobe: string;
  retry: RetryPolicy;
  logger: Logger;
}

export interface StoredSegmentRef {
  meetingId: string;
  recordingId: string;
  trackId: string;
  sequence: number;
  key: string;
}

/**
 * While a meeting is recorded, the pipeline's node copies each segment to the job's work
 * directory as soon as it is stored, and probes it: after the stop, the job finds them there
 * (fetch skips files present, compose reads the probe beside each) and starts composing at once.
 * Best effort, one at a time: anything missed here the job fetches itself. The timing files are
 * never prefetched (they change until the end).
 */
export function createPrefetcher(deps: PrefetchDeps) {
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  async function prefetch(ref: StoredSegmentRef): Promise<void> {
    const workDir = join(deps.workRoot, ref.meetingId, ref.recordingId);
    const path = segmentPath(workDir, ref.trackId, ref.sequence);
    if (!existsSync(path)) {
      await mkdir(trackDir(workDir, ref.trackId), { recursive: true });
      // Its own part file: the job may be fetching the same segment at the same moment.
      await download(
        { meetingId: ref.meetingId, objects: deps.objects, workDir, retry: deps.retry },
        ref.key,
        path,
        false,
        `${path}.prefetch.part`,
      );
    }
    await probeTimesOnce(deps.ffprobe, path);
  }

  return {
    segmentStored(ref: StoredSegmentRef): void {
      if (closed) return;
      queue = queue
        .then(() => (closed ? undefined : prefetch(ref)))
        .catch((error: unknown) =>
          deps.logger.debug({ err: error, key: ref.key }, 'segment prefetch failed; the job will fetch it'),
        );
    },
    async close(): Promise<void> {
      closed = true;
      await queue;
    },
  };
}
