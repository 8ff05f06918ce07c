import { execFileSync } from 'node:child_process';

/**
 * Reads flashes and beeps back from a recording: the instants the picture turns bright and the
 * instants the sound starts after silence. Both keep the container's start times (a delayed
 * stream must read as delayed, environment.md "Browsers"): video on a 30 fps grid from 0, audio
 * resampled with its first sample at 0, to 1 ms.
 */
export function flashOnsets(path: string, fps = 30): number[] {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', path, '-map', '0:v:0'],
      ...['-vf', `fps=${fps}:start_time=0,scale=32:18,format=gray`, '-f', 'rawvideo', '-'],
    ],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const size = 32 * 18;
  const lumas: number[] = [];
  for (let i = 0; i + size <= raw.length; i += size) {
    let sum = 0;
    for (let j = i; j < i + size; j++) sum += raw[j]!;
    lumas.push(sum / size);
  }
  return risingEdges(lumas).map((i) => i / fps);
}

export function beepOnsets(path: string): number[] {
  const raw = execFileSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-i', path, '-map', '0:a:0', '-af', 'aresample=48000:async=1:first_pts=0'],
      ...['-ac', '1', '-f', 's16le', '-'],
    ],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const levels: number[] = [];
  for (let i = 0; i + 96 <= raw.length; i += 96) {
    let peak = 0;
    for (let j = i; j < i + 96; j += 2) peak = Math.max(peak, Math.abs(raw.readInt16LE(j)));
    levels.push(peak);
  }
  return soundOnsets(levels, 1).map((ms) => ms / 1000);
}

/** Indexes where a series crosses the midpoint of its range upwards. */
export function risingEdges(values: readonly number[]): number[] {
  // Loops, not Math.min(...xs): minutes of samples overflow the call stack as arguments.
  const threshold =
    (values.reduce((a, b) => Math.min(a, b), Infinity) + values.reduce((a, b) => Math.max(a, b), -Infinity)) /
    2;
  const out: number[] = [];
  values.forEach((v, i) => {
    if (v > threshold && (i === 0 || values[i - 1]! <= threshold)) out.push(i);
  });
  return out;
}

/** Onsets (in units of `stepMs`) of sound after at least 200 ms below a quarter of the peak. */
export function soundOnsets(levels: readonly number[], stepMs: number): number[] {
  const threshold = levels.reduce((a, b) => Math.max(a, b), 0) / 4;
  const out: number[] = [];
  let quietMs = 1000;
  levels.forEach((level, i) => {
    if (level > threshold && quietMs >= 200) out.push(i * stepMs);
    quietMs = level > threshold ? 0 : quietMs + stepMs;
  });
  return out;
}

/**
 * The onsets from 200 ms after the last of the tracks began (`offsetSeconds` of each track's
 * "track aligned" log line). Before that a beep may have begun before its track did, with the
 * quiet the detector needs before it missing too: its onset reads where the recording of it
 * starts (a flash at the video's first frame read +99 ms in CI).
 */
export function afterEveryTrackBegan(
  onsets: readonly number[],
  trackStartsSeconds: readonly number[],
): number[] {
  const from = trackStartsSeconds.reduce((a, b) => Math.max(a, b), 0) + 0.2;
  return onsets.filter((t) => t >= from);
}

/**
 * Audio minus video (ms) for each flash that has a beep within half a second of where the beep
 * belongs: `expectedMs` after the flash (the sender's own phase between its camera and its
 * microphone, 0 when they share one clock and start).
 */
export function avOffsetsMs(flashes: readonly number[], beeps: readonly number[], expectedMs = 0): number[] {
  const out: number[] = [];
  for (const f of flashes) {
    const at = f + expectedMs / 1000;
    const nearest = beeps.reduce((best, b) => (Math.abs(b - at) < Math.abs(best - at) ? b : best), Infinity);
    if (Math.abs(nearest - at) < 0.5) out.push(Math.round((nearest - at) * 1000));
  }
  return out;
}
