/**
 * Where each video tile goes, over time (pure): the grid follows who is on camera, and a screen
 * share takes most of the picture with the cameras in a column beside it. The recording is cut
 * into epochs at every instant the set of visible tracks changes; each epoch has its own layout.
 */
export interface VideoInterval {
  trackId: string;
  source: 'camera' | 'screen';
  startSeconds: number;
  endSeconds: number;
}

export interface Tile {
  trackId: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Epoch {
  startSeconds: number;
  endSeconds: number;
  tiles: Tile[];
}

const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2);

export function layoutEpochs(
  intervals: readonly VideoInterval[],
  durationSeconds: number,
  canvas = { width: 1280, height: 720 },
): Epoch[] {
  const cuts = new Set<number>([0, durationSeconds]);
  for (const i of intervals) {
    if (i.startSeconds > 0 && i.startSeconds < durationSeconds) cuts.add(i.startSeconds);
    if (i.endSeconds > 0 && i.endSeconds < durationSeconds) cuts.add(i.endSeconds);
  }
  const times = [...cuts].sort((a, b) => a - b);
  const epochs: Epoch[] = [];
  for (let k = 0; k + 1 < times.length; k++) {
    const start = times[k]!;
    const end = times[k + 1]!;
    const mid = (start + end) / 2;
    const visible = intervals.filter((i) => i.startSeconds <= mid && i.endSeconds > mid);
    const tiles = arrange(visible, canvas);
    const last = epochs[epochs.length - 1];
    // Same layout as the epoch before: extend it rather than cut the picture for nothing.
    if (last && sameTiles(last.tiles, tiles)) last.endSeconds = end;
    else epochs.push({ startSeconds: start, endSeconds: end, tiles });
  }
  return epochs;
}

function arrange(visible: readonly VideoInterval[], canvas: { width: number; height: number }): Tile[] {
  const screen = visible.find((v) => v.source === 'screen');
  const cameras = visible.filter((v) => v !== screen && v.source === 'camera');
  if (screen) {
    const column = cameras.length > 0 ? even(canvas.width / 4) : 0;
    const tiles: Tile[] = [
      { trackId: screen.trackId, x: 0, y: 0, width: even(canvas.width - column), height: canvas.height },
    ];
    const shown = cameras.slice(0, 4);
    const h = even(canvas.height / Math.max(4, shown.length));
    shown.forEach((c, i) =>
      tiles.push({ trackId: c.trackId, x: canvas.width - column, y: i * h, width: column, height: h }),
    );
    return tiles;
  }
  const n = cameras.length;
  if (n === 0) return [];
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const w = even(canvas.width / cols);
  const h = even(canvas.height / rows);
  return cameras.map((c, i) => {
    const row = Math.floor(i / cols);
    // The last row, if short, is centred.
    const inRow = row === rows - 1 ? n - row * cols : cols;
    const left = Math.floor((canvas.width - inRow * w) / 2);
    return { trackId: c.trackId, x: left + (i % cols) * w, y: row * h, width: w, height: h };
  });
}

function sameTiles(a: readonly Tile[], b: readonly Tile[]): boolean {
  return (
    a.length === b.length &&
    a.every((t, i) => {
      const u = b[i]!;
      return (
        t.trackId === u.trackId && t.x === u.x && t.y === u.y && t.width === u.width && t.height === u.height
      );
    })
  );
}
