import { describe, expect, it } from 'vitest';
import { createTexture, readStamp, stampAge, writeStamp } from './frame-stamp';

/** Nearest-neighbour downscale of a luma plane, as a lower simulcast layer sees the picture. */
function downscale(y: Uint8Array, width: number, height: number, by: number) {
  const w = Math.floor(width / by);
  const h = Math.floor(height / by);
  const out = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) out[r * w + c] = y[r * by * width + c * by]!;
  return { out, w, h };
}

describe('frame stamp', () => {
  it('reads back what was written, at full size and at a quarter of it', () => {
    const width = 320;
    const height = 180;
    const y = new Uint8Array(width * height);
    for (const value of [0, 1, 0x1234, 0xffff, 54321]) {
      writeStamp(y, width, height, value);
      expect(readStamp(y, width, height)).toBe(value);
      const small = downscale(y, width, height, 4);
      expect(readStamp(small.out, small.w, small.h)).toBe(value);
    }
  });

  it('reads through the moving texture that makes the encoder work', () => {
    const width = 640;
    const height = 360;
    const texture = createTexture(width, height);
    const y = new Uint8Array(width * height);
    for (const [frame, value] of [0, 999, 0xbeef, 31337].entries()) {
      writeStamp(y, width, height, value, texture, frame);
      expect(readStamp(y, width, height)).toBe(value);
      const small = downscale(y, width, height, 4);
      expect(readStamp(small.out, small.w, small.h)).toBe(value);
    }
    const before = y.slice();
    writeStamp(y, width, height, 31337, texture, 5);
    expect(y).not.toEqual(before);
  });

  it('refuses a picture that carries no stamp', () => {
    const y = new Uint8Array(64 * 64).fill(128 + 60);
    expect(readStamp(y, 64, 64)).toBeUndefined();
    const noise = new Uint8Array(64 * 64).map((_, i) => (i * 7919) % 256);
    // A stamp read from noise must fail its check (this noise is fixed, so the test is stable).
    expect(readStamp(noise, 64, 64)).toBeUndefined();
  });

  it('measures age across the wrap of the 16-bit clock', () => {
    expect(stampAge(65_530, 65_536 + 10)).toBe(16);
    expect(stampAge(100, 142.7)).toBe(42);
  });
});
