import type { Logger } from 'pino';
import type { EventBus } from '../../domain/ports/event-bus';
import type { EventStore, Subscription } from '../../domain/ports/event-store';
import { coalescedSaves } from '../shared/coalesced-saves';

/** Where the forwarder keeps its position in the store (see the composition root). */
export interface CheckpointPort {
  load(): Promise<number>;
  save(position: number): Promise<void>;
}

export interface ForwarderOptions {
  store: EventStore;
  bus: EventBus;
  checkpoint: CheckpointPort;
  logger: Logger;
  batchSize?: number;
  /** Delay before retrying after the bus refused a batch (it grows up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * Batches published but not yet acknowledged, at most. 1 (the default) waits for each batch
   * before the next. More lets the in-process bus's fast groups run ahead of a slow one (its
   * publish resolves once every group handled the batch); only for a bus that takes publishes in
   * call order and refuses one only once closed, since a retried batch could overtake otherwise.
   */
  maxInFlight?: number;
  /**
   * With several batches in flight: no batch is handed over while an earlier one has waited this
   * long for a slow group (default: no bound but maxInFlight). A bound in time, not in batches,
   * says the same at every load: how far a slow group (the read models people read over REST)
   * may trail a fast one (the broadcasts), whether batches are single events or hundreds.
   */
  maxLagMs?: number;
  /**
   * A batch is handed to the bus at most once every lingerMs (0, the default: as soon as the last
   * one was taken). Meanwhile the next one gathers in the store, so under load the bus gets fewer,
   * larger batches; an event that comes after a quiet spell is handed over at once. For Kafka,
   * where every produce request, and every fetch that answers it, costs CPU on its own.
   */
  lingerMs?: number;
  /**
   * Two checkpoint saves start at least this far apart (default 0). A crash then replays up to
   * this much more, which consumers deduplicate; on the embedded store each save is a write
   * transaction that polls for the lock the read models' thread holds most of the time, a thrown
   * SQLITE_BUSY per try (2.5 % of the event loop at 4,000 chats/s with saves back to back).
   */
  checkpointEveryMs?: number;
  /**
   * A batch is on the bus and the checkpoint covering it is stored: its events' count, last
   * position and times (`occurredAt`), not the events themselves (see below).
   */
  onForwarded?(count: number, lastPosition: number, occurredAt: readonly string[]): void;
}

export interface Forwarder {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Last global position known to be on the bus. */
  readonly position: number;
}

/**
 * Reads the event store from its stored checkpoint and publishes to the bus in order, saving the
 * checkpoint only after the bus accepted each batch: after a crash it publishes again from there
 * (at-least-once, consumers deduplicate), so nothing appended is ever missing from the bus.
 * A bus outage is retried with backoff, holding the position: nothing is skipped.
 */
export function createEventForwarder(options: ForwarderOptions): Forwarder {
  const retryMs = options.retryMs ?? 200;
  const maxRetryMs = options.maxRetryMs ?? 5000;
  const maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  const maxLagMs = options.maxLagMs ?? Number.POSITIVE_INFINITY;
  const lingerMs = Math.max(0, options.lingerMs ?? 0);
  let subscription: Subscription | undefined;
  let position = 0;
  let stopping = false;
  /** Ends the wait between two batches at once (on stop). */
  let endLinger: (() => void) | undefined;
  /** Published batches the bus has not yet taken, oldest first (at most maxInFlight). */
  const inFlight: { accepted: Promise<void>; handedOverAt: number; taken: boolean }[] = [];
  /** Checkpoint saves under way; a failed one stops the forwarder at its next batch. */
  const saving = new Set<Promise<void>>();
  let saveFailure: { error: unknown } | undefined;
  /** Settles once the last batch handed over, and every earlier one, were accepted by the bus. */
  let lastAccepted: Promise<void> = Promise.resolve();
  const saveUpTo = coalescedSaves((position: number) => options.checkpoint.save(position), Math.max, {
    minIntervalMs: options.checkpointEveryMs ?? 0,
  });

  async function publishWithRetry(events: Parameters<EventBus['publish']>[0]): Promise<void> {
    let delay = retryMs;
    for (;;) {
      try {
        await options.bus.publish(events);
        return;
      } catch (error) {
        if (stopping) throw error;
        options.logger.warn({ err: error, retryInMs: delay }, 'bus refused a batch; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(maxRetryMs, delay * 2);
      }
    }
  }

  return {
    get position() {
      return position;
    },
    async start() {
      position = await options.checkpoint.load();
      subscription = options.store.subscribeToAll({
        after: position,
        batchSize: options.batchSize ?? 500,
        onEvents: async (events) => {
          // A checkpoint that could not be stored (the store is down): stop here, to publish again
          // from the stored checkpoint once restarted (at-least-once), as a failed read does.
          if (saveFailure) throw saveFailure.error;
          const handedOverAt = performance.now();
          const last = events[events.length - 1]!.globalPosition;
          // What the report after the save needs, not the batch: a save may wait a quarter-second
          // or more (checkpointEveryMs, the SQLite lock), and a batch held that long outlives two
          // young-generation collections (~180 ms apart at 4,000 chats/s) and is copied into the
          // old generation, whose full collections are the server's longest stalls.
          const count = events.length;
          const occurredAt = options.onForwarded ? events.map((e) => e.occurredAt) : [];
          // Publishing starts now (the bus takes batches in call order). A checkpoint is asked for
          // only once its batch and every earlier one were accepted, so it never passes a batch
          // the bus has not taken; saves asked for while one runs become one save (coalescedSaves),
          // and each batch counts as forwarded once a save covering it is stored.
          const published = publishWithRetry(events);
          const accepted = Promise.all([lastAccepted, published]).then(() => undefined);
          lastAccepted = accepted;
          const saved = accepted.then(async () => {
            await saveUpTo(last);
            position = Math.max(position, last);
            options.onForwarded?.(count, last, occurredAt);
          });
          saving.add(saved);
          saved.then(
            () => saving.delete(saved),
            (error: unknown) => {
              saving.delete(saved);
              saveFailure ??= { error };
            },
          );
          // Only the bus paces the batches, not the saves: on the embedded store a save waits for
          // the SQLite write lock that the read models' thread holds for most of each second under
          // load (at 4,000 chats/s the server's thread got 8–18 write transactions a second and
          // waited 250–500 ms a second for them; up to 37 saves were pending against a window of
          // 16), and with the saves in the window the broadcasts waited for them too. A save that
          // comes late only means a longer replay after a crash, which consumers deduplicate.
          const batch = { accepted, handedOverAt, taken: false };
          inFlight.push(batch);
          // Awaited below (or at stop): never an unhandled rejection.
          accepted.then(
            () => (batch.taken = true),
            () => undefined,
          );
          // Taken batches leave the window; the next batch waits while the window is full or its
          // oldest batch has waited too long for a slow group.
          while (inFlight.length > 0) {
            const oldest = inFlight[0]!;
            if (!oldest.taken) {
              const lagging = performance.now() - oldest.handedOverAt >= maxLagMs;
              if (inFlight.length < maxInFlight && !lagging) break;
              await oldest.accepted;
            }
            inFlight.shift();
          }
          // The store delivers the next batch only once this returns: what comes meanwhile joins it.
          const linger = lingerMs - (performance.now() - handedOverAt);
          if (linger > 0 && !stopping)
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, linger);
              endLinger = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          endLinger = undefined;
        },
        onError: (error) => {
          if (!stopping) options.logger.error({ err: error }, 'forwarder stopped');
        },
      });
    },
    async stop() {
      stopping = true;
      endLinger?.();
      await subscription?.close();
      await Promise.allSettled(inFlight.splice(0).map((batch) => batch.accepted));
      await Promise.allSettled([...saving]);
    },
  };
}
