import { describe, expect, it } from 'vitest';
import { FrameRebuffer } from './frame-rebuffer';

describe('FrameRebuffer (128-sample blocks in, 480-sample frames processed)', () => {
  const BLOCK = 128;
  const FRAME = 480;

  it('hands whole frames to the processor and plays them back one frame late, never running dry', () => {
    const frames: number[] = [];
    // The "processing" negates, so the output is provably what the processor wrote.
    const rebuffer = new FrameRebuffer(FRAME, (input, output) => {
      frames.push(input.length);
      for (let i = 0; i < input.length; i++) output[i] = -input[i]!;
    });
    const blocks = 3000;
    const played: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const input = Float32Array.from({ length: BLOCK }, (_, i) => b * BLOCK + i + 1);
      const output = new Float32Array(BLOCK);
      rebuffer.push(input, output);
      played.push(...output);
    }
    expect(rebuffer.underruns).toBe(0);
    expect(frames.every((n) => n === FRAME)).toBe(true);
    expect(frames).toHaveLength(Math.floor((blocks * BLOCK) / FRAME));
    // One frame of silence, then sample n of the input as -n.
    expect(played.slice(0, FRAME).every((s) => s === 0)).toBe(true);
    const firstWrong = played.findIndex((s, i) => i >= FRAME && s !== -(i - FRAME + 1));
    expect(firstWrong).toBe(-1);
  });

  it('takes a moment without input as silence, and keeps its head start for when input returns', () => {
    const rebuffer = new FrameRebuffer(FRAME, (input, output) => output.set(input));
    const output = new Float32Array(BLOCK).fill(7);
    for (let b = 0; b < 10; b++) rebuffer.push(undefined, output);
    expect([...output].every((s) => s === 0)).toBe(true);
    for (let b = 0; b < 100; b++) rebuffer.push(new Float32Array(BLOCK).fill(1), output);
    expect(rebuffer.underruns).toBe(0);
    expect([...output].every((s) => s === 1)).toBe(true);
  });
});
