import type { Caption, Chapter } from './recording-plan';
import type { Epoch } from './layout';

/** One track ready to compose: its ffconcat list and where it sits on the recording's clock. */
export interface ComposeTrack {
  trackId: string;
  kind: 'audio' | 'video';
  concatFile: string;
  /** Seconds from the recording's start to the track's pts 0. */
  offsetSeconds: number;
  /** Real seconds per media second (from the RTCP fit). */
  rate: number;
  /** File holding the tile's name tag (drawtext reads it: no escaping of what people typed). */
  nameFile?: string;
}

export interface ComposeSpec {
  durationSeconds: number;
  width: number;
  height: number;
  fps: number;
  tracks: ComposeTrack[];
  epochs: Epoch[];
  chaptersFile: string;
  subtitlesFile: string | undefined;
  output: string;
}

const n = (x: number) => Number(x.toFixed(6)).toString();

/**
 * The ffmpeg command line that composes the recording (pure): a dark canvas at the recording's
 * length, each video tile scaled into its place for each epoch it is shown in, name tags, all
 * audio mixed and padded to the full length, chapters and chat captions, H.264 + AAC, faststart.
 *
 * Timing: each track is moved to its offset on the canvas clock and stretched by its fitted rate
 * (setpts / asetrate), so tracks of different processes line up. The canvas samples the latest
 * tile frame at each of its frames, which lags by half a frame on average: tiles are moved half a
 * frame earlier to centre that error (±1/(2·fps) instead of 0..1/fps late).
 */
export function composeArgs(spec: ComposeSpec): string[] {
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
  const filters: string[] = [];
  const video = spec.tracks.filter((t) => t.kind === 'video');
  const audio = spec.tracks.filter((t) => t.kind === 'audio');
  const inputOf = new Map<string, number>();
  spec.tracks.forEach((t, i) => {
    args.push('-f', 'concat', '-safe', '0', '-i', t.concatFile);
    inputOf.set(t.trackId, i);
  });
  const metadataInput = spec.tracks.length;
  args.push('-f', 'ffmetadata', '-i', spec.chaptersFile);
  const subtitleInput = spec.subtitlesFile ? metadataInput + 1 : undefined;
  if (spec.subtitlesFile) args.push('-f', 'srt', '-i', spec.subtitlesFile);

  const dur = n(spec.durationSeconds);
  filters.push(
    `color=c=0x202124:s=${spec.width}x${spec.height}:r=${spec.fps}:d=${dur},format=yuv420p[base0]`,
  );
  const halfFrame = 0.5 / spec.fps;
  let base = 'base0';
  let overlays = 0;
  for (const track of video) {
    const uses = spec.epochs.flatMap((e) =>
      e.tiles.filter((t) => t.trackId === track.trackId).map((tile) => ({ e, tile })),
    );
    if (uses.length === 0) continue;
    const k = inputOf.get(track.trackId)!;
    const shift = n(track.offsetSeconds - halfFrame);
    const label = `v${k}`;
    filters.push(
      `[${k}:v]setpts=PTS*${n(track.rate)}+${shift}/TB,split=${uses.length}${uses.map((_, j) => `[${label}s${j}]`).join('')}`,
    );
    uses.forEach(({ e, tile }, j) => {
      const tag = track.nameFile
        ? `,drawtext=textfile='${escapeFilterPath(track.nameFile)}':font=DejaVu Sans:fontsize=${Math.max(12, Math.round(tile.height / 18))}:fontcolor=white:box=1:boxcolor=black@0.55:boxborderw=6:x=10:y=h-th-14`
        : '';
      filters.push(
        `[${label}s${j}]scale=${tile.width}:${tile.height}:force_original_aspect_ratio=decrease,pad=${tile.width}:${tile.height}:(ow-iw)/2:(oh-ih)/2:color=black${tag}[${label}t${j}]`,
      );
      const next = `base${++overlays}`;
      filters.push(
        `[${base}][${label}t${j}]overlay=x=${tile.x}:y=${tile.y}:eof_action=pass:repeatlast=0:enable='between(t,${n(e.startSeconds)},${n(e.endSeconds)})'[${next}]`,
      );
      base = next;
    });
  }
  filters.push(`[${base}]null[vout]`);

  if (audio.length === 0) filters.push(`anullsrc=r=48000:cl=stereo,atrim=0:${dur}[aout]`);
  else {
    for (const track of audio) {
      const k = inputOf.get(track.trackId)!;
      // asetrate stretches by the fitted rate; async=1 with first_pts=0 fills the time before
      // the track began (a late joiner) and any gap with silence, sample-exact.
      filters.push(
        `[${k}:a]asetrate=${n(48000 / track.rate)},aresample=48000,asetpts=PTS+${n(track.offsetSeconds)}/TB,aresample=async=1:first_pts=0[a${k}]`,
      );
    }
    const labels = audio.map((t) => `[a${inputOf.get(t.trackId)!}]`).join('');
    filters.push(
      `${labels}amix=inputs=${audio.length}:duration=longest:dropout_transition=0:normalize=0,apad=whole_dur=${dur}[aout]`,
    );
  }
  // Scaling and overlays run in slices on both cores, as the encoder does.
  args.push('-filter_complex_threads', '2', '-filter_complex', filters.join(';'));
  args.push('-map', '[vout]', '-map', '[aout]');
  if (subtitleInput !== undefined)
    args.push(
      '-map',
      `${subtitleInput}:s`,
      '-c:s',
      'mov_text',
      '-metadata:s:s:0',
      'language=eng',
      '-metadata:s:s:0',
      'title=Chat',
    );
  args.push('-map_metadata', String(metadataInput), '-map_chapters', String(metadataInput));
  args.push(
    '-c:v',
    'libx264',
    // superfast: about twice veryfast's speed for a few % more bytes at the same quality; a
    // meeting (talking heads, slides) is what x264 finds easiest. The goal is a file within half
    // the meeting's length on two cores (npm run bench -- --only=recording).
    '-preset',
    'superfast',
    '-crf',
    '23',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(spec.fps),
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    '48000',
    '-t',
    dur,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    spec.output,
  );
  return args;
}

/** A path inside a filter graph option: `\`, `'` and `:` would end or break the option. */
function escapeFilterPath(path: string): string {
  return path.replace(/\\/g, '\\\\\\\\').replace(/'/g, "'\\\\''").replace(/:/g, '\\\\:');
}

const metaEscape = (text: string) => text.replace(/[=;#\\\n]/g, (c) => (c === '\n' ? '\\\n' : `\\${c}`));

/** ffmetadata with the title and one chapter per entry, each lasting until the next. */
export function chaptersMetadata(
  title: string,
  chapters: readonly Chapter[],
  durationSeconds: number,
): string {
  const lines = [';FFMETADATA1', `title=${metaEscape(title)}`];
  const endMs = Math.round(durationSeconds * 1000);
  chapters.forEach((c, i) => {
    const start = Math.round(c.startSeconds * 1000);
    const end = Math.max(start + 1, Math.round((chapters[i + 1]?.startSeconds ?? durationSeconds) * 1000));
    if (start >= endMs && i > 0) return;
    lines.push(
      '[CHAPTER]',
      'TIMEBASE=1/1000',
      `START=${start}`,
      `END=${Math.min(end, Math.max(endMs, start + 1))}`,
      `title=${metaEscape(c.title)}`,
    );
  });
  return `${lines.join('\n')}\n`;
}

const srtTime = (s: number) => {
  const ms = Math.max(0, Math.round(s * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const pad = (x: number, w = 2) => String(x).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(sec)},${pad(ms % 1000, 3)}`;
};

/** The chat as SubRip captions; text is plain (no markup), each caption on its own lines. */
export function chatSubtitles(captions: readonly Caption[]): string {
  return captions
    .filter((c) => c.endSeconds > c.startSeconds)
    .map((c, i) => {
      const text = c.text
        .replace(/\r/g, '')
        .replace(/\n{2,}/g, '\n')
        .replace(/</g, '‹')
        .replace(/>/g, '›');
      return `${i + 1}\n${srtTime(c.startSeconds)} --> ${srtTime(c.endSeconds)}\n${text}\n`;
    })
    .join('\n');
}

/** ffconcat for one track's segments with their exact durations (recording-sync.md, pitfall 6). */
export function concatList(segments: readonly { path: string; startSeconds: number }[]): string {
  const lines = ['ffconcat version 1.0'];
  segments.forEach((s, i) => {
    lines.push(`file '${s.path.replace(/'/g, "'\\''")}'`);
    const next = segments[i + 1];
    if (next) lines.push(`duration ${n(Math.max(0, next.startSeconds - s.startSeconds))}`);
  });
  return `${lines.join('\n')}\n`;
}
