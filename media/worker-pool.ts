import { createWorker, type types } from 'mediasoup';
import type { Logger } from 'pino';
import { ConferError } from '../domain/shared/errors';

/** Live mediasoup objects of one worker, counted from mediasoup's observer events. */
export interface WorkerLoad {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

export interface WorkerInfo extends WorkerLoad {
  index: number;
  pid: number;
  rtcMinPort: number;
  rtcMaxPort: number;
}

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logger: Logger;
  logLevel?: types.WorkerLogLevel;
  /** Delay before retrying a replacement that failed to start, ms (doubles up to 30 s). */
  respawnDelayMs?: number;
}

/** Called once a dead worker has a replacement: the meetings it hosted must be rebuilt. */
export type WorkerLostListener = (dead: types.Worker, replacement: types.Worker) => void;

export interface WorkerPool {
  start(): Promise<void>;
  /** The live worker carrying the fewest consumers, skipping `avoid` unless nothing else is left. */
  leastLoaded(avoid?: ReadonlySet<types.Worker>): types.Worker;
  /** Like leastLoaded, but only among workers not in `avoid` (undefined when there is none). */
  leastLoadedExcept(avoid: ReadonlySet<types.Worker>): types.Worker | undefined;
  consumersOn(worker: types.Worker): number;
  onWorkerLost(listener: WorkerLostListener): void;
  workers(): WorkerInfo[];
  totals(): WorkerLoad & { workers: number };
  close(): void;
}

interface Slot {
  index: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  worker?: types.Worker;
  load: WorkerLoad;
}

const emptyLoad = (): WorkerLoad => ({ routers: 0, transports: 0, producers: 0, consumers: 0 });

/** Splits [min, max] into `parts` contiguous ranges; the last one takes the remainder. */
export function splitPortRange(min: number, max: number, parts: number): Array<[number, number]> {
  const span = Math.floor((max - min + 1) / parts);
  if (span < 2) {
    throw new Error(`RTC port range ${min}-${max} is too small for ${parts} media workers`);
  }
  return Array.from({ length: parts }, (_, i) => [
    min + i * span,
    i === parts - 1 ? max : min + (i + 1) * span - 1,
  ]);
}

/**
 * mediasoup workers (one process each), each with its own slice of the RTC port range. A worker
 * that dies is replaced in the same slot (its ports are free again once the process is gone);
 * listeners then rebuild what it hosted. Load is the number of live consumers per worker.
 */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { logger } = options;
  const slots: Slot[] = splitPortRange(options.rtcMinPort, options.rtcMaxPort, options.size).map(
    ([rtcMinPort, rtcMaxPort], index) => ({ index, rtcMinPort, rtcMaxPort, load: emptyLoad() }),
  );
  const listeners: WorkerLostListener[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  function count(
    load: WorkerLoad,
    key: keyof WorkerLoad,
    observer: { once(e: 'close', l: () => void): void },
  ) {
    load[key]++;
    observer.once('close', () => load[key]--);
  }

  function track(worker: types.Worker, load: WorkerLoad): void {
    worker.observer.on('newrouter', (router) => {
      count(load, 'routers', router.observer);
      router.observer.on('newtransport', (transport) => {
        count(load, 'transports', transport.observer);
        transport.observer.on('newproducer', (producer) => count(load, 'producers', producer.observer));
        transport.observer.on('newconsumer', (consumer) => count(load, 'consumers', consumer.observer));
      });
    });
  }

  async function spawn(slot: Slot): Promise<types.Worker> {
    const worker = await createWorker({
      logLevel: options.logLevel ?? 'warn',
      rtcMinPort: slot.rtcMinPort,
      rtcMaxPort: slot.rtcMaxPort,
      appData: { index: slot.index },
    });
    slot.load = emptyLoad();
    track(worker, slot.load);
    slot.worker = worker;
    worker.on('died', (error) => {
      logger.error(
        { err: error, pid: worker.pid, worker: slot.index },
        'mediasoup worker died; replacing it',
      );
      slot.worker = undefined;
      void replace(slot, worker, options.respawnDelayMs ?? 1000);
    });
    return worker;
  }

  async function replace(slot: Slot, dead: types.Worker, delayMs: number): Promise<void> {
    if (closed) return;
    try {
      const replacement = await spawn(slot);
      if (closed) {
        replacement.close();
        return;
      }
      logger.warn({ worker: slot.index, pid: replacement.pid }, 'mediasoup worker replaced');
      for (const listener of listeners) {
        try {
          listener(dead, replacement);
        } catch (error) {
          logger.error({ err: error }, 'worker-lost listener failed');
        }
      }
    } catch (error) {
      logger.error(
        { err: error, worker: slot.index, retryInMs: delayMs },
        'could not start a mediasoup worker',
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        void replace(slot, dead, Math.min(delayMs * 2, 30_000));
      }, delayMs);
      timer.unref();
      timers.add(timer);
    }
  }

  const live = () => slots.filter((s): s is Slot & { worker: types.Worker } => s.worker !== undefined);

  function pick(candidates: Array<Slot & { worker: types.Worker }>): types.Worker | undefined {
    let best: (Slot & { worker: types.Worker }) | undefined;
    for (const slot of candidates) if (!best || slot.load.consumers < best.load.consumers) best = slot;
    return best?.worker;
  }

  return {
    async start() {
      await Promise.all(slots.map((slot) => spawn(slot)));
    },
    leastLoaded(avoid) {
      const all = live();
      const preferred = avoid ? all.filter((s) => !avoid.has(s.worker)) : all;
      const worker = pick(preferred.length > 0 ? preferred : all);
      if (!worker) throw new ConferError('CONFER_MEDIA_UNAVAILABLE', 'No media worker is running right now');
      return worker;
    },
    leastLoadedExcept(avoid) {
      return pick(live().filter((s) => !avoid.has(s.worker)));
    },
    consumersOn(worker) {
      return slots.find((s) => s.worker === worker)?.load.consumers ?? 0;
    },
    onWorkerLost(listener) {
      listeners.push(listener);
    },
    workers() {
      return live().map((s) => ({
        index: s.index,
        pid: s.worker.pid,
        rtcMinPort: s.rtcMinPort,
        rtcMaxPort: s.rtcMaxPort,
        ...s.load,
      }));
    },
    totals() {
      const total = { workers: 0, ...emptyLoad() };
      for (const s of live()) {
        total.workers++;
        total.routers += s.load.routers;
        total.transports += s.load.transports;
        total.producers += s.load.producers;
        total.consumers += s.load.consumers;
      }
      return total;
    },
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const slot of slots) {
        slot.worker?.close();
        slot.worker = undefined;
      }
    },
  };
}
