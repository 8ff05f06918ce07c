import { describe, expect, it } from 'vitest';
import { bestTileWidth } from './grid-layout';

describe('bestTileWidth', () => {
  it('gives one person the whole stage, bounded by its height', () => {
    expect(bestTileWidth(1600, 450, 1)).toBe(800);
    expect(bestTileWidth(800, 900, 1)).toBe(800);
  });

  it('puts four people in a 2×2 grid on a wide stage', () => {
    // Two columns: (1212 - 12) / 2 = 600 wide, 337.5 high: two rows fit in 687.
    expect(bestTileWidth(1212, 687, 4)).toBe(600);
  });

  it('stacks people in one column on a phone held upright', () => {
    const width = bestTileWidth(374, 640, 3);
    expect(width).toBe(365); // limited by height: (640 - 24) / 3 × 16/9
    expect(width).toBeLessThanOrEqual(374);
  });

  it('never shrinks tiles below a readable size', () => {
    expect(bestTileWidth(300, 200, 50)).toBe(120);
  });
});
