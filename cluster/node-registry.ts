import type { Clock } from '../domain/ports/clock';
import type { ProjectionStore } from '../domain/ports/projection-store';

export interface NodeInfo {
  nodeId: string;
  url: string;
  media: boolean;
  /** Sockets connected: the placement picks the least loaded node. */
  load: number;
  lastSeen: string;
}

/** A node as the registry last heard of it: its last known address, and whether that is recent. */
export type KnownNode = NodeInfo & { live: boolean };

const NODES = '_nodes';

/**
 * Which app nodes are alive: each node writes a heartbeat document into the shared store every
 * `heartbeatMs`; a node not heard from for `ttlMs` is gone (crashed or partitioned away).
 */
export function createNodeRegistry(options: {
  store: ProjectionStore;
  clock: Clock;
  self: { nodeId: string; url: string; media: boolean };
  load(): number;
  heartbeatMs?: number;
  ttlMs?: number;
  onError?(error: unknown): void;
}) {
  const heartbeatMs = options.heartbeatMs ?? 2000;
  const ttlMs = options.ttlMs ?? 6000;
  let timer: NodeJS.Timeout | undefined;

  async function beat(): Promise<void> {
    const info: NodeInfo = {
      ...options.self,
      load: options.load(),
      lastSeen: options.clock.now().toISOString(),
    };
    await options.store.transaction((tx) => tx.put(NODES, '', options.self.nodeId, { ...info }));
  }

  /** Every node with a heartbeat on record, whether it is live (heard from within the TTL) or not. */
  async function known(): Promise<KnownNode[]> {
    const now = options.clock.now().getTime();
    const entries = await options.store.scan<NodeInfo & Record<string, unknown>>(NODES, { limit: 1000 });
    // Object.assign, not `{ ...doc, live }`: on Node 20's V8 a spread followed by a new key gives
    // every object a hidden class of its own (docs/capacity.md, twenty-second session).
    return entries.map(({ doc }) =>
      Object.assign({}, doc, { live: now - Date.parse(doc.lastSeen) <= ttlMs }),
    );
  }

  return {
    async start(): Promise<void> {
      await beat();
      // A beat still waiting on a slow store is not joined by another: they would only pile up
      // on its connections, and the next one after it says the same thing.
      let beating = false;
      timer = setInterval(() => {
        if (beating) return;
        beating = true;
        beat()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => (beating = false));
      }, heartbeatMs);
      timer.unref();
    },
    known,
    async live(): Promise<NodeInfo[]> {
      return (await known()).filter((n) => n.live);
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      // A clean stop leaves at once, so its meetings move without waiting for the TTL.
      await options.store
        .transaction((tx) => tx.delete(NODES, '', options.self.nodeId))
        .catch(() => undefined);
    },
  };
}

export type NodeRegistry = ReturnType<typeof createNodeRegistry>;
