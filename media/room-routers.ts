import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { ConferError } from '../domain/shared/errors';
import { mediaCodecs } from './codecs';
import type { Peer, ProducerEntry } from './peer';
import type { WorkerPool } from './worker-pool';

export interface RoomRouter {
  router: types.Router;
  worker: types.Worker;
}

export interface RoomRoutersDeps {
  meetingId: string;
  pool: WorkerPool;
  logger: Logger;
  consumersPerWorker: number;
  /** The meeting's producers, to pipe to a router added later and to size a newcomer's needs. */
  producers(): Iterable<ProducerEntry>;
  /** The meeting's first router was created (the active-speaker observer lives there). */
  onFirstRouter(router: types.Router): Promise<void>;
}

/**
 * Where a meeting's media lives: its routers and the pipes between them. It starts with one
 * router on the least-loaded worker; a participant arriving when every router's worker is past
 * its consumer budget gets a router on another worker, and every producer is piped
 * (PipeTransport) to every router of the meeting, so anyone can consume anything.
 */
export class RoomRouters {
  private routers: RoomRouter[] = [];
  private firstReady?: Promise<RoomRouter>;
  private assigning: Promise<unknown> = Promise.resolve();
  /** producerId>routerId → the pipe in progress or done. */
  private readonly pipes = new Map<string, Promise<void>>();
  /** A router lost its worker: refuse work until reset(). */
  private broken = false;
  private closed = false;

  constructor(private readonly deps: RoomRoutersDeps) {}

  /** Throws CONFER_MEDIA_UNAVAILABLE while the meeting's media is closed or being rebuilt. */
  assertUsable(): void {
    if (this.closed) throw new ConferError('CONFER_MEDIA_UNAVAILABLE', "This meeting's media was closed");
    if (this.broken) {
      throw new ConferError('CONFER_MEDIA_UNAVAILABLE', 'Media is restarting; wait for media:renegotiate');
    }
  }

  /** The meeting's first router (created on first need). */
  first(): Promise<RoomRouter> {
    this.assertUsable();
    const first = this.routers[0];
    if (first) return Promise.resolve(first);
    this.firstReady ??= this.add(this.deps.pool.leastLoaded()).finally(() => {
      this.firstReady = undefined;
    });
    return this.firstReady;
  }

  /** The router of the participant's transports (chosen once per session). */
  assign(peer: Peer): Promise<types.Router> {
    if (peer.router && !peer.router.closed) return Promise.resolve(peer.router);
    // One assignment at a time, so that budgets are checked against each other's choices.
    const run = this.assigning.then(async () => {
      this.assertUsable();
      if (peer.router && !peer.router.closed) return peer.router;
      const { router } = await this.choose();
      peer.router = router;
      return router;
    });
    this.assigning = run.catch(() => undefined);
    return run;
  }

  /** Makes the producer consumable on `router` (piping it there once). */
  async ensureOn(entry: ProducerEntry, router: types.Router): Promise<void> {
    if (entry.router === router) return;
    const key = `${entry.producer.id}>${router.id}`;
    let piping = this.pipes.get(key);
    if (!piping) {
      piping = entry.router.pipeToRouter({ producerId: entry.producer.id, router }).then(() => undefined);
      this.pipes.set(key, piping);
      piping.catch(() => this.pipes.delete(key));
    }
    await piping;
  }

  /** A new producer is made available on every other router of the meeting. */
  spread(entry: ProducerEntry): void {
    for (const other of this.routers)
      if (other.router !== entry.router) this.pipeInBackground(entry, other.router);
  }

  forgetProducer(producerId: string): void {
    for (const key of this.pipes.keys()) if (key.startsWith(`${producerId}>`)) this.pipes.delete(key);
  }

  workerOf(router: types.Router): types.Worker {
    const found = this.routers.find((r) => r.router === router);
    if (!found) throw new ConferError('CONFER_MEDIA_UNAVAILABLE', 'The router of this transport is gone');
    return found.worker;
  }

  usesWorker(worker: types.Worker): boolean {
    return this.routers.some((r) => r.worker === worker);
  }

  list(): readonly RoomRouter[] {
    return this.routers;
  }

  /** Closes every router (and so everything under them) and starts afresh. */
  reset(): void {
    for (const { router } of this.routers) router.close();
    this.routers = [];
    this.pipes.clear();
    this.broken = false;
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private async choose(): Promise<RoomRouter> {
    const first = await this.first();
    const { pool, consumersPerWorker } = this.deps;
    // What this participant will consume if everything published now is sent to them.
    const need = Math.max(1, [...this.deps.producers()].length);
    const roomy = this.routers.find((r) => pool.consumersOn(r.worker) + need <= consumersPerWorker);
    if (roomy) return roomy;
    const fresh = pool.leastLoadedExcept(new Set(this.routers.map((r) => r.worker)));
    if (fresh) {
      const added = await this.add(fresh);
      this.deps.logger.info(
        { meetingId: this.deps.meetingId, routers: this.routers.length, workerPid: fresh.pid },
        'meeting spreads to another media worker',
      );
      for (const entry of this.deps.producers()) this.pipeInBackground(entry, added.router);
      return added;
    }
    // Every worker already serves this meeting: the least loaded of its routers takes the overflow.
    return this.routers.reduce(
      (best, r) => (pool.consumersOn(r.worker) < pool.consumersOn(best.worker) ? r : best),
      first,
    );
  }

  private async add(worker: types.Worker): Promise<RoomRouter> {
    const router = await worker.createRouter({ mediaCodecs, appData: { meetingId: this.deps.meetingId } });
    if (this.closed) {
      router.close();
      this.assertUsable();
    }
    const added = { router, worker };
    this.routers.push(added);
    router.on('workerclose', () => {
      this.broken = true;
    });
    if (this.routers.length === 1) await this.deps.onFirstRouter(router);
    return added;
  }

  private pipeInBackground(entry: ProducerEntry, router: types.Router): void {
    this.ensureOn(entry, router).catch((error: unknown) => {
      if (!entry.producer.closed && !router.closed)
        this.deps.logger.warn({ err: error, meetingId: this.deps.meetingId }, 'could not pipe a producer');
    });
  }
}
