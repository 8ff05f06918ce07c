/**
 * A send time written into a video frame's pixels, read back from the decoded frame on the
 * receiving side: one-way latency through encoder, SFU, jitter buffer and decoder, measured on
 * one clock because sender and receiver live in the tester's process.
 *
 * The luma plane is a grid of 4 × 5 large cells, each dark or light: 16 bits of the time
 * (milliseconds mod 65,536, so latencies under a minute read unambiguously) and a 4-bit check.
 * Each cell carries a texture that moves every frame (±TEXTURE around its level), so the
 * encoder spends a real bitrate, as on a camera picture, while the level stays readable even
 * at the lowest simulcast layer (a quarter of the size).
 */

const COLS = 4;
const ROWS = 5;
const BITS = 16;
const DARK = 48;
const LIGHT = 208;
const TEXTURE = 28;

const checksum = (value: number) =>
  ((value & 0xf) + ((value >> 4) & 0xf) + ((value >> 8) & 0xf) + ((value >> 12) & 0xf) + 5) & 0xf;

function cellBits(value: number): number[] {
  const v = value & 0xffff;
  const bits: number[] = [];
  for (let i = 0; i < BITS; i++) bits.push((v >> i) & 1);
  const check = checksum(v);
  for (let i = 0; i < 4; i++) bits.push((check >> i) & 1);
  return bits;
}

/** Textured dark and light rows, longer than a frame so that a moving offset picks a new window. */
export interface StampTexture {
  dark: Uint8Array;
  light: Uint8Array;
}

export function createTexture(width: number, height: number, seed = 1): StampTexture {
  const length = width * height + width * 64;
  const dark = new Uint8Array(length);
  const light = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift: cheap, deterministic noise
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = ((x >>> 0) % (2 * TEXTURE + 1)) - TEXTURE;
    dark[i] = DARK + n;
    light[i] = LIGHT + n;
  }
  return { dark, light };
}

/**
 * Writes `value` (low 16 bits) into the Y plane of an I420 frame of the given size; `shift`
 * (any integer, e.g. a frame counter) moves the texture. Copies only: no per-pixel work in JS.
 */
export function writeStamp(
  y: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  value: number,
  texture?: StampTexture,
  shift = 0,
): void {
  const bits = cellBits(value);
  const offset = texture ? (Math.abs(shift) * 7919) % (texture.dark.length - width * height) : 0;
  for (let row = 0; row < height; row++) {
    const cellRow = Math.min(ROWS - 1, Math.floor((row * ROWS) / height));
    const base = row * width;
    for (let col = 0; col < COLS; col++) {
      const x0 = Math.floor((col * width) / COLS);
      const x1 = Math.floor(((col + 1) * width) / COLS);
      const light = bits[cellRow * COLS + col] === 1;
      if (texture) {
        const from = offset + base + x0;
        y.set((light ? texture.light : texture.dark).subarray(from, from + x1 - x0), base + x0);
      } else y.fill(light ? LIGHT : DARK, base + x0, base + x1);
    }
  }
}

/** The mean of a few pixels around a cell's centre: the texture averages out. */
function cellLevel(
  y: Uint8Array | Uint8ClampedArray,
  width: number,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
) {
  let sum = 0;
  let n = 0;
  for (let dy = -ry; dy <= ry; dy++)
    for (let dx = -rx; dx <= rx; dx++) {
      sum += y[(cy + dy) * width + cx + dx] ?? 0;
      n++;
    }
  return sum / n;
}

/** Reads the value back from a decoded Y plane (any scale), or undefined when the check fails. */
export function readStamp(
  y: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): number | undefined {
  let value = 0;
  let check = 0;
  const rx = Math.max(0, Math.min(3, Math.floor(width / COLS / 6)));
  const ry = Math.max(0, Math.min(3, Math.floor(height / ROWS / 6)));
  for (let cell = 0; cell < COLS * ROWS; cell++) {
    const col = cell % COLS;
    const row = Math.floor(cell / COLS);
    const cx = Math.floor(((col + 0.5) * width) / COLS);
    const cy = Math.floor(((row + 0.5) * height) / ROWS);
    const bit = cellLevel(y, width, cx, cy, rx, ry) > 128 ? 1 : 0;
    if (cell < BITS) value |= bit << cell;
    else check |= bit << (cell - BITS);
  }
  return checksum(value) === check ? value : undefined;
}

/** Milliseconds from `sentStamp` to `nowMs` (both on the same clock), modulo the stamp's range. */
export function stampAge(sentStamp: number, nowMs: number): number {
  return (Math.floor(nowMs) - sentStamp + 0x10000) & 0xffff;
}
