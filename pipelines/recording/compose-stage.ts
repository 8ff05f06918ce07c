import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrackSyncFileSchema } from '../../domain/meeting/recording.sync';
import { alignTracks, type TrackAlignment, type TrackToAlign } from './align';
import { chaptersMetadata, chatSubtitles, composeArgs, concatList, type ComposeTrack } from './compose-args';
import { runFfmpeg } from './ffmpeg-process';
import { probeTimesOnce } from './probe-cache';
import { segmentPath, syncPath, trackDir } from './fetch-segments';
import { markGaps, uncovered } from './gaps';
import { layoutEpochs, type VideoInterval } from './layout';
import type { RecordingPlan, TrackPlan } from './recording-plan';

export interface ComposeContext {
  workDir: string;
  ffmpeg: string;
  ffprobe: string;
  title: string;
  signal?: AbortSignal;
  log(message: string, details?: Record<string, unknown>): void;
}

const PROBES_AT_ONCE = 4;

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const CANVAS_FPS = 30;

export const composedPath = (workDir: string) => join(workDir, 'meeting.mp4');

interface PreparedTrack {
  plan: TrackPlan;
  compose: ComposeTrack;
  endSeconds: number;
  alignment: TrackAlignment | undefined;
}

/**
 * Stage 2: the fetched segments composed into one MP4 in the work directory. Segments ffprobe
 * cannot read (corrupt, cut short by a crash) are left out and logged; the time they would have
 * covered stays black and silent. Written aside and renamed, so a killed compose leaves no file
 * that looks finished.
 */
export async function composeRecording(
  plan: RecordingPlan,
  ctx: ComposeContext,
  onFraction: (fraction: number) => void,
): Promise<{ path: string; gaps: number }> {
  const prepared: PreparedTrack[] = [];
  let gaps = 0;
  const alignments = alignTracks(await readSyncFiles(plan, ctx.workDir));
  for (const track of plan.tracks) {
    // Probed a few at a time: one ffprobe per segment adds up over a long meeting.
    const probed = await mapLimit(track.segments, PROBES_AT_ONCE, async (s) => {
      const path = segmentPath(ctx.workDir, track.trackId, s.sequence);
      try {
        return { path, ...(await probeTimesOnce(ctx.ffprobe, path, ctx.signal)) };
      } catch (error) {
        if (ctx.signal?.aborted) throw error;
        gaps++;
        ctx.log('segment left out: unreadable', {
          trackId: track.trackId,
          sequence: s.sequence,
          reason: String(error),
        });
        return undefined;
      }
    });
    const readable = probed.filter((p): p is NonNullable<typeof p> => p !== undefined);
    if (readable.length === 0) continue;
    const alignment = alignments.get(track.trackId);
    const rate = alignment?.rate ?? 1;
    const first = readable[0]!;
    // The concat demuxer starts at the first segment's own start, which for video is the first
    // key frame ffmpeg kept, not pts 0: that start is added to the track's place.
    const offsetSeconds =
      (alignment ? (alignment.zeroWallMs - plan.startedAtMs) / 1000 : 0) + first.startSeconds * rate;
    const last = readable[readable.length - 1]!;
    const concatFile = join(trackDir(ctx.workDir, track.trackId), 'segments.ffconcat');
    await writeFile(concatFile, concatList(readable));
    let nameFile: string | undefined;
    if (track.kind === 'video') {
      nameFile = join(trackDir(ctx.workDir, track.trackId), 'name.txt');
      await writeFile(
        nameFile,
        track.source === 'screen' ? `${track.displayName} (screen)` : track.displayName,
      );
    }
    prepared.push({
      plan: track,
      alignment,
      endSeconds: offsetSeconds + (last.startSeconds + last.durationSeconds - first.startSeconds) * rate,
      compose: {
        trackId: track.trackId,
        kind: track.kind,
        concatFile,
        offsetSeconds,
        rate,
        ...(nameFile ? { nameFile } : {}),
      },
    });
  }
  if (prepared.length === 0)
    throw new NothingToCompose('no readable audio or video was stored for this recording');
  for (const p of prepared)
    ctx.log('track aligned', {
      trackId: p.plan.trackId,
      kind: p.plan.kind,
      offsetSeconds: Number(p.compose.offsetSeconds.toFixed(3)),
      endSeconds: Number(p.endSeconds.toFixed(3)),
      segments: p.plan.segments.length,
      rate: p.compose.rate,
      method: p.alignment?.method ?? 'none',
      ...(p.alignment?.leadMs !== undefined ? { leadMs: p.alignment.leadMs } : {}),
    });

  // A tile is shown from one canvas frame before its first frame's place: the canvas shows a
  // tile's frames up to a frame ahead of their place (compose-args.ts, half a frame and
  // rounding), so a window opening at the place itself hid the track's first frame for a frame
  // and read that moment one frame late (a flash on the first frame, capture.int.test.ts).
  const intervals: VideoInterval[] = prepared
    .filter((p) => p.plan.kind === 'video')
    .map((p) => ({
      trackId: p.plan.trackId,
      source: p.plan.source === 'screen' ? 'screen' : 'camera',
      startSeconds: Math.max(0, p.compose.offsetSeconds - 1 / CANVAS_FPS),
      endSeconds: Math.min(plan.durationSeconds, p.endSeconds),
    }));
  const epochs = layoutEpochs(intervals, plan.durationSeconds);
  // Stretches no track covers (a recording node died, and capture resumed elsewhere later) are
  // said in the file: a chapter and a caption.
  const nothing = uncovered(
    prepared.map((p) => ({ startSeconds: p.compose.offsetSeconds, endSeconds: p.endSeconds })),
    plan.durationSeconds,
  );
  if (nothing.length > 0) ctx.log('gaps in the recording', { gaps: nothing });
  const { chapters, captions } = markGaps(plan.chapters, plan.chat, nothing);
  const chaptersFile = join(ctx.workDir, 'chapters.ffmeta');
  await writeFile(chaptersFile, chaptersMetadata(ctx.title, chapters, plan.durationSeconds));
  let subtitlesFile: string | undefined;
  if (captions.length > 0) {
    subtitlesFile = join(ctx.workDir, 'chat.srt');
    await writeFile(subtitlesFile, chatSubtitles(captions));
  }
  const output = composedPath(ctx.workDir);
  const part = join(ctx.workDir, 'meeting.part.mp4');
  await rm(part, { force: true });
  const args = composeArgs({
    durationSeconds: plan.durationSeconds,
    width: 1280,
    height: 720,
    fps: CANVAS_FPS,
    tracks: prepared.map((p) => p.compose),
    epochs,
    chaptersFile,
    subtitlesFile,
    output: part,
  });
  await runFfmpeg(ctx.ffmpeg, args, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onLine: (line) => {
      const match = /^out_time_us=(\d+)/.exec(line);
      if (match && plan.durationSeconds > 0)
        onFraction(Math.min(1, Number(match[1]) / 1e6 / plan.durationSeconds));
    },
  });
  await rename(part, output);
  return { path: output, gaps };
}

/** The timing files of the plan's tracks; a track without a readable one is placed at its segments' start. */
async function readSyncFiles(plan: RecordingPlan, workDir: string): Promise<TrackToAlign[]> {
  const out: TrackToAlign[] = [];
  for (const track of plan.tracks) {
    const path = syncPath(workDir, track.trackId);
    if (!existsSync(path)) continue;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      continue;
    }
    const parsed = TrackSyncFileSchema.safeParse(json);
    if (parsed.success)
      out.push({ trackId: track.trackId, participantId: track.participantId, sync: parsed.data });
  }
  return out;
}

/** Nothing usable was recorded (nobody published, or every segment unreadable). */
export class NothingToCompose extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToCompose';
  }
}
