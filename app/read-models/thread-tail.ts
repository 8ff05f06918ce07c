import type { Logger } from 'pino';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { openSqliteEventReader, type SqliteEventReader } from '../../infra/event-store/sqlite/event-reader';
import { readPosition } from '../../projections/checkpoints';
import { retryingProjections } from '../../projections/retrying-handler';
import {
  emptyReport,
  type AppliedReport,
  type ReadModelTarget,
  type TailSettings,
} from './read-models-messages';
import type { Stoppable, ThreadTargets } from './thread-kafka';

/** A store quiet for a while is looked at up to this many times less often (idlePollMs × it). */
const IDLE_BACKOFF = 8;
/** How long a target waits before trying again after a failure it could not retry itself. */
const FAILURE_PAUSE_MS = 1000;

/**
 * The thread follows the embedded event store itself (SQLite, in-process bus): each target reads
 * the events after the position its read models last committed, on a read-only connection of its
 * own, and applies them. The server's event loop then neither copies the events across nor
 * queues them for these two groups, and its broadcasts never wait for the read models (on the
 * bus, the forwarder let them run at most 250 ms ahead).
 * - Where a target starts: the lowest `_positions` entry of its projections (written in the same
 *   transaction as their documents), so a restart neither skips nor re-applies (the runner skips
 *   what a meeting's checkpoint already holds).
 * - Batches: up to `batchSize` events; after a short batch the target waits `lingerMs`, so under
 *   load it takes fewer, larger ones; when nothing was new it looks again after `idlePollMs`,
 *   then less and less often (up to 8× that) while the store stays quiet.
 * - The two targets read the same ranges: the last batches read are shared between them.
 */
export async function tailOnThread(
  settings: TailSettings,
  deps: {
    logger: Logger;
    store: ProjectionStore;
    targets: ThreadTargets;
    projectionNames: readonly string[];
    analyticsNames: readonly string[];
    closing(): boolean;
    onApplied(target: ReadModelTarget, events: number, report: AppliedReport, position: number): void;
    onProjectionFailure(): void;
  },
): Promise<Stoppable> {
  const projections = retryingProjections(
    { handle: deps.targets.projections },
    { logger: deps.logger, onFailure: deps.onProjectionFailure, closing: deps.closing },
  );
  let stopped = false;
  const wakeUps = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakeUps.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakeUps.add(done);
    });

  let reader: SqliteEventReader | undefined;
  const recent = new Map<number, StoredEvent[]>();
  const read = (after: number): StoredEvent[] => {
    const shared = recent.get(after);
    if (shared) return shared;
    reader ??= openSqliteEventReader(settings.eventsPath);
    const events = reader.readAll(after, settings.batchSize);
    if (events.length > 0) {
      recent.set(after, events);
      // Both targets are usually at the same place: the last few batches are enough.
      if (recent.size > 4) recent.delete(recent.keys().next().value!);
    }
    return events;
  };

  const startOf = async (names: readonly string[]): Promise<number> => {
    const positions = await Promise.all(names.map((name) => readPosition(deps.store, name)));
    return Math.min(...positions.map((p) => p?.position ?? 0));
  };

  async function follow(
    target: ReadModelTarget,
    names: readonly string[],
    apply: (events: StoredEvent[]) => Promise<AppliedReport>,
  ): Promise<void> {
    let position: number | undefined;
    let idle = settings.idlePollMs;
    while (!stopped) {
      try {
        position ??= await startOf(names);
        const events = read(position);
        if (events.length === 0) {
          await pause(idle);
          idle = Math.min(idle * 2, settings.idlePollMs * IDLE_BACKOFF);
          continue;
        }
        idle = settings.idlePollMs;
        const report = await apply(events);
        position = events[events.length - 1]!.globalPosition;
        deps.onApplied(target, events.length, report, position);
        if (events.length < settings.batchSize) await pause(settings.lingerMs);
      } catch (error) {
        if (stopped) return;
        // The store or the file away, or a batch the handlers gave up on: the position holds,
        // and the same events are tried again.
        deps.logger.error({ err: error, target, position }, 'read models: following the event store failed');
        await pause(FAILURE_PAUSE_MS);
      }
    }
  }

  const loops = [
    follow('projections', deps.projectionNames, async (events) => {
      await projections(events);
      return emptyReport();
    }),
    follow('analytics', deps.analyticsNames, (events) => deps.targets.analytics(events)),
  ];
  return {
    async close() {
      stopped = true;
      for (const wake of [...wakeUps]) wake();
      await Promise.all(loops);
      reader?.close();
    },
  };
}
