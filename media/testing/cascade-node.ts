import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { createNodeTokens } from '../../cluster/node-tokens';
import { createNodeLinks } from '../../cluster/node-links';
import type { Cascade } from '../cascade/cascade';
import type { Room } from '../room';
import type { WorkerPool } from '../worker-pool';

/** One node of a cascade in this process: a worker pool, one meeting's room, real node links. */
export interface CascadeNode {
  id: string;
  url: string;
  pool: WorkerPool;
  io: Server;
  links: ReturnType<typeof createNodeLinks>;
  cascade: Cascade;
  room: Room;
  close(): Promise<void>;
}

/**
 * What app/compose.ts and media/sfu.ts wire on every node, reduced to one meeting: a mediasoup
 * worker, the meeting's room, a socket.io server on loopback serving node links, and the cascade
 * between them. `live` plays the node registry (nodeId → URL); the node adds itself to it.
 * Call ensureWorkerBinary() before the first one.
 */
export async function startCascadeNode(options: {
  id: string;
  meetingId: string;
  live: Map<string, string>;
  rtcMinPort: number;
  logger: Logger;
  secret: string;
  retryDelaysMs?: readonly number[];
}): Promise<CascadeNode> {
  const { id, logger } = options;
  const { createWorkerPool } = await import('../worker-pool');
  const { Room: RoomClass } = await import('../room');
  const { createCascade } = await import('../cascade/cascade');
  const pool = createWorkerPool({
    size: 1,
    rtcMinPort: options.rtcMinPort,
    rtcMaxPort: options.rtcMinPort + 499,
    logger,
  });
  await pool.start();
  const http = createServer();
  const io = new Server(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const links = createNodeLinks({
    io,
    selfNodeId: id,
    tokens: createNodeTokens(options.secret),
    resolve: async (nodeId) => options.live.get(nodeId),
    logger,
    requestTimeoutMs: 2000,
  });
  const rooms = new Map<string, Room>();
  const cascade = createCascade({
    links,
    listen: { ip: '127.0.0.1' },
    logger,
    room: (meetingId) => rooms.get(meetingId),
    rooms: () => rooms.values(),
  });
  const room = new RoomClass({
    meetingId: options.meetingId,
    pool,
    logger,
    consumersPerWorker: 100_000,
    activeSpeakerDebounceMs: 200,
    onActiveSpeaker: () => undefined,
    onProducerGone: () => undefined,
    cascade: {
      ...cascade.roomOptions,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    },
  });
  rooms.set(options.meetingId, room);
  options.live.set(id, url);
  return {
    id,
    url,
    pool,
    io,
    links,
    cascade,
    room,
    async close() {
      options.live.delete(id);
      room.close('shutdown');
      await links.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pool.close();
    },
  };
}
