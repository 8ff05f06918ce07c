import { SingleBar } from 'cli-progress';

export interface RebuildProgress {
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar for `npm run projections:rebuild`, on stderr so that stdout stays clean for
 * results. Not a terminal (CI, a log file): a plain line every second instead of redraws.
 */
export function createRebuildProgressBar(
  total: number,
  stream: NodeJS.WritableStream = process.stderr,
): RebuildProgress {
  const bar = new SingleBar({
    stream,
    format: 'rebuilding read models [{bar}] {percentage}% | position {value}/{total} | eta {eta_formatted}',
    noTTYOutput: true,
    notTTYSchedule: 1000,
    hideCursor: true,
  });
  bar.start(Math.max(total, 0), 0);
  return {
    update(done, newTotal) {
      if (newTotal !== bar.getTotal()) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
