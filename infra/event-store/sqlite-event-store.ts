import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../../domain/ports/event-store';
import {
  EventRejectedError,
  RevisionConflictError,
  StoreUnavailableError,
} from '../../domain/ports/event-store';
import type { EventToAppend, StoredEvent } from '../../domain/shared/envelope';
import { startCatchUpSubscription } from './catch-up-subscription';
import { RecentEvents } from './sqlite/recent-events';
import { SlotMap } from '../../domain/shared/slot-map';
import { openSqliteEventReader, type SqliteEventReader } from './sqlite/event-reader';
import type { WriterMessage, WriterReply, WriterRequest } from './sqlite/writer.worker';
import { startWalCheckpointer, type WalCheckpointer } from '../sqlite/wal-checkpointer';
import { appendResultOf } from './sqlite/written-events';
import type { WakeSignal } from './wake-signal';

export interface SqliteEventStoreOptions {
  /** Path of the database file (created if missing). */
  path: string;
  /** Most appends written in one transaction (group commit). */
  maxBatch?: number;
  /** Fallback poll of subscriptions, for writers in other processes. */
  pollMs?: number;
  /**
   * Told of every batch the writer committed: how many appends, how long its hashing, inserts and
   * commit (fsync included) took, and how long its oldest append waited for it to start (queued
   * behind the batches before it). A slow disk shows here before anywhere else.
   */
  onBatchWritten?(appends: number, seconds: number, queuedSeconds: number): void;
  /**
   * How often a thread of its own copies the write-ahead log into the database file
   * (infra/sqlite/wal-checkpointer.ts); 0 leaves it to the writer's commits, as SQLite does.
   */
  checkpointEveryMs?: number;
}

/**
 * The embedded, durable event store: one SQLite file in WAL mode, fsync on every commit. Appends
 * go to a writer thread that groups whatever arrived meanwhile into one transaction (group
 * commit) and answers each append only after its batch is on disk. Reads use their own
 * connection; subscribers are served the newest events from memory (RecentEvents).
 */
export function createSqliteEventStore(options: SqliteEventStoreOptions): EventStore {
  if (options.path === ':memory:')
    throw new Error('The SQLite event store needs a file (its writer runs on another thread)');
  mkdirSync(dirname(options.path), { recursive: true });
  const checkpointEveryMs = options.checkpointEveryMs ?? 250;
  const worker = new Worker(new URL('./sqlite/writer.worker.mjs', import.meta.url), {
    workerData: {
      path: options.path,
      maxBatch: options.maxBatch ?? 1000,
      checkpointsLeftToThread: checkpointEveryMs > 0,
    },
  });
  let checkpointer: WalCheckpointer | undefined;
  /** Appends sent to the writer, with their events: its answer carries only positions and hashes. */
  const waiting = new SlotMap<
    number,
    {
      streamId: string;
      events: readonly EventToAppend[];
      resolve(r: AppendResult): void;
      reject(e: unknown): void;
    }
  >();
  const watchers = new Set<WakeSignal>();
  const recent = new RecentEvents(20_000);
  /** How far each live subscription has handled: the tail holds only what one of them has not. */
  const handledUpTo = new Map<object, number>();
  const releaseHandled = () => {
    let slowest = Number.POSITIVE_INFINITY;
    for (const position of handledUpTo.values()) slowest = Math.min(slowest, position);
    recent.release(slowest);
  };
  let nextId = 1;
  let closed = false;
  let reader: SqliteEventReader | undefined;
  let knownHead = 0;
  /** Appends of this event-loop turn, posted to the writer together at its end. */
  let outbox: WriterRequest[] = [];

  function post(): void {
    const requests = outbox;
    outbox = [];
    const postedAt = performance.timeOrigin + performance.now();
    worker.postMessage({ type: 'appends', requests, postedAt } satisfies WriterMessage);
  }

  const ready = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (reply: WriterReply) =>
      reply.type === 'ready' ? resolve() : reject(new Error('writer did not start')),
    );
  }).then(() => {
    reader = openSqliteEventReader(options.path);
    worker.on('message', onReply);
    if (checkpointEveryMs > 0) checkpointer = startWalCheckpointer(options.path, checkpointEveryMs);
  });
  // Callers see a failed start through their own calls; nothing else should report it.
  ready.catch(() => undefined);
  worker.on('error', (error) =>
    failAll(new StoreUnavailableError(`SQLite writer failed: ${error.message}`, error)),
  );
  worker.on('exit', () => failAll(new StoreUnavailableError('SQLite writer stopped')));

  function failAll(error: unknown): void {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  }

  function onReply(reply: WriterReply): void {
    if (reply.type === 'failed') {
      // The cause stays in the logs (the gateway logs 5xx causes); callers see no internals.
      const error = new StoreUnavailableError(
        'The event store could not write; retry later',
        new Error(`SQLite batch failed: ${reply.message}`),
      );
      for (const id of reply.ids) waiting.get(id)?.reject(error);
      for (const id of reply.ids) waiting.delete(id);
      return;
    }
    if (reply.type !== 'written') return;
    options.onBatchWritten?.(reply.outcomes.length, reply.seconds, reply.queuedSeconds);
    const committed: StoredEvent[] = [];
    for (const { id, outcome } of reply.outcomes) {
      const w = waiting.get(id);
      waiting.delete(id);
      if ('written' in outcome) {
        if (!w) continue;
        const result = appendResultOf(w.streamId, w.events, outcome.written);
        committed.push(...result.events);
        w.resolve(result);
      } else if ('ok' in outcome) {
        committed.push(...outcome.ok.events);
        w?.resolve(outcome.ok);
      } else if ('rejected' in outcome) {
        w?.reject(
          new EventRejectedError(
            new Error(`SQLite append to ${outcome.rejected.streamId} failed: ${outcome.rejected.reason}`),
          ),
        );
      } else {
        const { streamId, expected, actual } = outcome.conflict;
        w?.reject(new RevisionConflictError(streamId, expected, actual));
      }
    }
    // A retried (idempotent) append answers with old events: only new positions are recent.
    const fresh = committed
      .filter((e) => e.globalPosition > knownHead)
      .sort((a, b) => a.globalPosition - b.globalPosition);
    if (fresh.length > 0) {
      recent.add(fresh);
      knownHead = fresh[fresh.length - 1]!.globalPosition;
      // With no live subscription, nobody will read them from here.
      if (handledUpTo.size === 0) releaseHandled();
    }
    for (const w of watchers) w.notify();
  }

  /** When the database was last asked for its head (readAll), and how often it may be. */
  let headAskedAt = Number.NEGATIVE_INFINITY;
  const askHeadEveryMs = (options.pollMs ?? 1000) / 2;

  async function readAll({ after, maxCount }: ReadAllOptions): Promise<StoredEvent[]> {
    await ready;
    // What this process committed last is held: a contiguous run of global positions is what the
    // database holds for them (another process's write in between would have broken the run).
    const cached = recent.read(after, maxCount);
    if (cached && cached.length > 0) return cached;
    if (cached) {
      // Nothing newer held: only another process can have written more, and its writes wake no
      // subscriber here (they are found by the fallback poll, every pollMs). Asking the database
      // at every wake-up by this process's own commits (hundreds a second under load, ~2 % of
      // the event loop at 4,000 chats/s) found nothing; it is asked at most twice a poll period.
      const now = performance.now();
      if (now - headAskedAt < askHeadEveryMs) return cached;
      headAskedAt = now;
      if (reader!.head() <= after) return cached;
    }
    return reader!.readAll(after, maxCount);
  }

  return {
    // One writer thread takes the appends in the order they are handed in (outbox, then its queue).
    chainsAppends: true,

    async append(streamId, events, { expectedRevision, expectedLastEventId }) {
      if (closed) throw new StoreUnavailableError('Event store is closed');
      await ready;
      const id = nextId++;
      return new Promise<AppendResult>((resolve, reject) => {
        waiting.set(id, { streamId, events, resolve, reject });
        // One message per callback rather than per append: the appends made by a callback and
        // the promise chains it started (every command the command handler starts at the end of
        // a turn) cost one copy and one wake-up of the writer, which batches them anyway.
        // process.nextTick runs once the microtasks queued by then have run, without waiting
        // for the next turn of the event loop as setImmediate from that point would.
        if (outbox.length === 0) process.nextTick(post);
        outbox.push({
          type: 'append',
          id,
          streamId,
          events,
          expected: expectedRevision,
          expectedLastEventId,
        });
      });
    },

    async readStream(streamId: string, opts: ReadStreamOptions = {}) {
      await ready;
      return reader!.readStream(streamId, opts.fromRevision ?? 0, opts.maxCount ?? Number.MAX_SAFE_INTEGER);
    },

    readAll,

    subscribeToAll(opts: SubscribeOptions) {
      const self = {};
      handledUpTo.set(self, opts.after);
      const subscription = startCatchUpSubscription(
        {
          readAll,
          watch: (signal) => {
            watchers.add(signal);
            return () => watchers.delete(signal);
          },
          pollMs: options.pollMs ?? 1000,
        },
        {
          ...opts,
          async onEvents(events) {
            await opts.onEvents(events);
            handledUpTo.set(self, events[events.length - 1]!.globalPosition);
            releaseHandled();
          },
          onError(error) {
            handledUpTo.delete(self);
            releaseHandled();
            opts.onError?.(error);
          },
        },
      );
      return {
        get position() {
          return subscription.position;
        },
        async close() {
          await subscription.close();
          handledUpTo.delete(self);
          releaseHandled();
        },
      };
    },

    async headPosition() {
      await ready;
      return reader!.head();
    },

    async close() {
      if (closed) return;
      closed = true;
      await ready.catch(() => undefined);
      await checkpointer?.close();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      if (outbox.length > 0) post();
      worker.postMessage({ type: 'close' } satisfies WriterMessage);
      await exited;
      reader?.close();
    },
  };
}
