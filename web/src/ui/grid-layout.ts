const ASPECT = 16 / 9;
/** Must match the grid's CSS gap. */
const GAP = 12;
const MIN_TILE_WIDTH = 120;

/**
 * The tile width that fills an area best with `count` 16:9 tiles: every column count is tried,
 * and the one giving the largest tiles wins (rows are centred, the last one too).
 */
export function bestTileWidth(width: number, height: number, count: number): number {
  let best = 0;
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const w = Math.min((width - GAP * (cols - 1)) / cols, ((height - GAP * (rows - 1)) / rows) * ASPECT);
    best = Math.max(best, w);
  }
  return Math.max(MIN_TILE_WIDTH, Math.floor(best));
}
