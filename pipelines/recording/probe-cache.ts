import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { probeTimes } from './ffmpeg-process';

const TimesSchema = z.object({ startSeconds: z.number(), durationSeconds: z.number() });

// v2: lengths from packets (ffmpeg-process.ts); a v1 answer, from the container's duration, is not read.
const cachePath = (path: string) => `${path}.times-v2.json`;

/**
 * A segment's start time and duration, probed once: the answer is kept beside the segment, so a
 * segment probed while the meeting was still recorded (prefetch.ts) costs nothing after the stop.
 */
export async function probeTimesOnce(
  ffprobe: string,
  path: string,
  signal?: AbortSignal,
): Promise<{ startSeconds: number; durationSeconds: number }> {
  const cache = cachePath(path);
  if (existsSync(cache)) {
    const cached = TimesSchema.safeParse(JSON.parse(await readFile(cache, 'utf8').catch(() => 'null')));
    if (cached.success) return cached.data;
  }
  const times = await probeTimes(ffprobe, path, signal);
  await writeFile(`${cache}.part`, JSON.stringify(times));
  await rename(`${cache}.part`, cache);
  return times;
}
