import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import type {
  AppliedReport,
  FromReadModels,
  ReadModelsSettings,
  ReadModelTarget,
  RelayPublisherSettings,
  ToReadModels,
} from './read-models-messages';
import { handOverPace } from './hand-over-pace';

export type { ReadModelsSettings } from './read-models-messages';

export interface ReadModelsThread {
  /** Resolves once the batch is committed to the target's read models (checkpoints included). */
  apply(target: ReadModelTarget, events: readonly StoredEvent[]): Promise<AppliedReport>;
  /** Called after every committed projections batch (REST reads waiting for their own writes wake). */
  onProjected(listener: () => void): void;
  /** Called after every batch the thread consumed itself (`consumes`) is committed. */
  onApplied(
    listener: (target: ReadModelTarget, events: number, report: AppliedReport, position: number) => void,
  ): void;
  /** Called on every failed projections attempt of a batch the thread consumed itself. */
  onProjectionFailure(listener: () => void): void;
  /**
   * True when the thread feeds both targets itself (settings.consume: the Kafka groups;
   * settings.tail: the event store): apply() is then unused.
   */
  readonly consumes: boolean;
  /** Starts the thread's consumers (`consumes`): call once the listeners above are in place. */
  consume(): Promise<void>;
  /**
   * Runs the analytics relay on the thread (`consumes` only: it is woken by the thread's own
   * analytics commits, and reads the log on the thread's connection). Resolves once connected.
   */
  startRelay(publisher: RelayPublisherSettings): Promise<void>;
  stopRelay(): Promise<void>;
  /** Called with the number of records the relay published. */
  onRelayed(listener: (records: number) => void): void;
  close(): Promise<void>;
}

/**
 * The projections and the analytics pipeline apply their batches on a worker thread: their
 * documents, checkpoints and SQLite statements cost the server's event loop (which answers
 * commands and broadcasts) nothing but the batch's copy. Consumption stays with the bus groups:
 * each group's handler resolves when the thread has committed, so the bus's at-least-once order
 * and the forwarder's checkpoint are unchanged. On Kafka (`settings.consume`) the thread is the
 * groups' consumer itself: each group's fetch and decoding is Kafka client work that would
 * otherwise share the event loop with the sockets, and the batch is not copied at all.
 */
export async function startReadModelsThread(
  settings: ReadModelsSettings,
  options: {
    /** Each target's batches are handed over at most this often (handOverPace; 0: at once). */
    lingerMs?: number;
  } = {},
): Promise<ReadModelsThread> {
  const pace = handOverPace(options.lingerMs ?? 0);
  const worker = new Worker(new URL('./read-models.worker.mjs', import.meta.url), { workerData: settings });
  const waiting = new Map<
    number,
    { target: ReadModelTarget; resolve(r: AppliedReport): void; reject(error: unknown): void }
  >();
  const listeners: (() => void)[] = [];
  const applied: ((
    target: ReadModelTarget,
    events: number,
    report: AppliedReport,
    position: number,
  ) => void)[] = [];
  const failures: (() => void)[] = [];
  let nextId = 1;
  let consuming: { resolve(): void; reject(error: unknown): void } | undefined;
  let relayStarting: { resolve(): void; reject(error: unknown): void } | undefined;
  let relayStopping: (() => void) | undefined;
  const relayed: ((records: number) => void)[] = [];
  let closed: (() => void) | undefined;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: FromReadModels) =>
      m.type === 'ready' ? resolve() : reject(new Error('read models thread did not start')),
    );
  });
  const failAll = (error: Error) => {
    failure ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    consuming?.reject(error);
    consuming = undefined;
    relayStarting?.reject(error);
    relayStarting = undefined;
    relayStopping?.();
    relayStopping = undefined;
  };
  worker.on('error', (error) =>
    failAll(new StoreUnavailableError(`read models thread failed: ${error.message}`, error)),
  );
  worker.on('exit', () => {
    failAll(new StoreUnavailableError('read models thread stopped'));
    closed?.();
  });
  worker.on('message', (m: FromReadModels) => {
    if (m.type === 'closed') {
      closed?.();
      return;
    }
    if (m.type === 'applied') {
      for (const listener of applied) listener(m.target, m.events, m.report, m.position);
      if (m.target === 'projections') for (const listener of listeners) listener();
      return;
    }
    if (m.type === 'consuming') {
      const started = consuming;
      consuming = undefined;
      if (m.error === undefined) started?.resolve();
      else started?.reject(new Error(`the read models thread could not consume the bus: ${m.error}`));
      return;
    }
    if (m.type === 'relay-started') {
      const started = relayStarting;
      relayStarting = undefined;
      if (m.error === undefined) started?.resolve();
      else started?.reject(new Error(`the analytics relay could not start: ${m.error}`));
      return;
    }
    if (m.type === 'relay-stopped') {
      relayStopping?.();
      relayStopping = undefined;
      return;
    }
    if (m.type === 'relayed') {
      for (const listener of relayed) listener(m.records);
      return;
    }
    if (m.type === 'projection-failure') {
      for (const listener of failures) listener();
      return;
    }
    if (m.type !== 'done' && m.type !== 'failed') return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (!w) return;
    if (m.type === 'done') {
      w.resolve(m.report);
      if (w.target === 'projections') for (const listener of listeners) listener();
      return;
    }
    // Only the "retry later" kind matters to the callers (they wait for the store and retry);
    // the cause was logged in the thread.
    w.reject(m.retryable ? new StoreUnavailableError(m.message) : new Error(m.message));
  });

  return {
    async apply(target, events) {
      await pace(target);
      if (failure) throw failure;
      const id = nextId++;
      return new Promise<AppliedReport>((resolve, reject) => {
        waiting.set(id, { target, resolve, reject });
        worker.postMessage({ type: 'batch', id, target, events } satisfies ToReadModels);
      });
    },
    onProjected(listener) {
      listeners.push(listener);
    },
    onApplied(listener) {
      applied.push(listener);
    },
    startRelay(publisher) {
      if (failure) return Promise.reject(failure);
      return new Promise<void>((resolve, reject) => {
        relayStarting = { resolve, reject };
        worker.postMessage({ type: 'relay-start', publisher } satisfies ToReadModels);
      });
    },
    stopRelay() {
      if (failure) return Promise.resolve();
      return new Promise<void>((resolve) => {
        relayStopping = resolve;
        worker.postMessage({ type: 'relay-stop' } satisfies ToReadModels);
      });
    },
    onRelayed(listener) {
      relayed.push(listener);
    },
    onProjectionFailure(listener) {
      failures.push(listener);
    },
    consumes: settings.consume !== undefined || settings.tail !== undefined,
    consume() {
      if (failure) return Promise.reject(failure);
      return new Promise<void>((resolve, reject) => {
        consuming = { resolve, reject };
        worker.postMessage({ type: 'consume' } satisfies ToReadModels);
      });
    },
    async close() {
      if (failure) return;
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage({ type: 'close' } satisfies ToReadModels);
      });
      failure = new StoreUnavailableError('read models thread closed');
      await worker.terminate();
    },
  };
}
