import { execFileSync } from 'node:child_process';

/**
 * Reads flashes and beeps back from a recording: the instants the picture turns bright and the
 * instants the sound starts after silence, then pairs each flash with the nearest beep.
 * Video onsets are on the file's frame grid (the recording is 30 fps CFR), audio to 1 ms.
 */
export function flashOnsets(path: string, fps = 30): number[] {
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-map', '0:v:0', '-vf', 'scale=32:18,format=gray', '-f', 'rawvideo', '-'],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const size = 32 * 18;
  const lumas: number[] = [];
  for (let i = 0; i + size <= raw.length; i += size) {
    let sum = 0;
    for (let j = i; j < i + size; j++) sum += raw[j]!;
    lumas.push(sum / size);
  }
  const threshold = (Math.min(...lumas) + Math.max(...lumas)) / 2;
  const onsets: number[] = [];
  lumas.forEach((y, i) => {
    if (y > threshold && (i === 0 || lumas[i - 1]! <= threshold)) onsets.push(i / fps);
  });
  return onsets;
}

export function beepOnsets(path: string): number[] {
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'],
    { maxBuffer: 512 * 1024 * 1024 },
  );
  const window = 48; // 1 ms
  const levels: number[] = [];
  for (let i = 0; i + window * 2 <= raw.length; i += window * 2) {
    let peak = 0;
    for (let j = i; j < i + window * 2; j += 2) peak = Math.max(peak, Math.abs(raw.readInt16LE(j)));
    levels.push(peak);
  }
  const threshold = Math.max(...levels) / 4;
  const onsets: number[] = [];
  let quietFor = 1000;
  levels.forEach((level, ms) => {
    if (level > threshold && quietFor >= 200) onsets.push(ms / 1000);
    quietFor = level > threshold ? 0 : quietFor + 1;
  });
  return onsets;
}

/** Audio minus video (ms) for each flash that has a beep within half a second. */
export function avOffsetsMs(flashes: readonly number[], beeps: readonly number[]): number[] {
  const out: number[] = [];
  for (const f of flashes) {
    const nearest = beeps.reduce((best, b) => (Math.abs(b - f) < Math.abs(best - f) ? b : best), Infinity);
    if (Math.abs(nearest - f) < 0.5) out.push(Math.round((nearest - f) * 1000));
  }
  return out;
}
