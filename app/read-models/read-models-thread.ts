import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import type {
  AppliedReport,
  FromReadModels,
  ReadModelsSettings,
  ReadModelTarget,
  ToReadModels,
} from './read-models-messages';

export type { ReadModelsSettings } from './read-models-messages';

export interface ReadModelsThread {
  /** Resolves once the batch is committed to the target's read models (checkpoints included). */
  apply(target: ReadModelTarget, events: readonly StoredEvent[]): Promise<AppliedReport>;
  /** Called after every committed projections batch (REST reads waiting for their own writes wake). */
  onProjected(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * The projections and the analytics pipeline apply their batches on a worker thread: their
 * documents, checkpoints and SQLite statements cost the server's event loop (which answers
 * commands and broadcasts) nothing but the batch's copy. Consumption stays with the bus groups:
 * each group's handler resolves when the thread has committed, so the bus's at-least-once order
 * and the forwarder's checkpoint are unchanged.
 */
export async function startReadModelsThread(settings: ReadModelsSettings): Promise<ReadModelsThread> {
  const worker = new Worker(new URL('./read-models.worker.mjs', import.meta.url), { workerData: settings });
  const waiting = new Map<
    number,
    { target: ReadModelTarget; resolve(r: AppliedReport): void; reject(error: unknown): void }
  >();
  const listeners: (() => void)[] = [];
  let nextId = 1;
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
    apply(target, events) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<AppliedReport>((resolve, reject) => {
        waiting.set(id, { target, resolve, reject });
        worker.postMessage({ type: 'batch', id, target, events } satisfies ToReadModels);
      });
    },
    onProjected(listener) {
      listeners.push(listener);
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
