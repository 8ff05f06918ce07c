import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { ConferError } from '../../domain/shared/errors';
import type { ProducerEntry } from '../peer';
import { validationError } from '../../protocol/validation-error';
import {
  LinkRequestSchemas,
  type LinkAnswer,
  type LinkRequest,
  type LinkRequestType,
  type PipeEnd,
} from '../../protocol/node-link';
import type { LinkPeer, LinkServer } from '../../protocol/node-link.port';
import { pipeTransportOptions, type PipeListen } from './pipe-transport';

interface ServedPipe {
  meetingId: string;
  peer: LinkPeer;
  router: types.Router;
  transport: types.PipeTransport;
  /** producerId → the pipe consumer sending it to the peer. */
  consumers: Map<string, Promise<types.Consumer>>;
  /** Closed because the peer asked or left: it is not told again. */
  quiet: boolean;
}

export interface PipeServer extends LinkServer {
  /** Pipes served now (for describe and tests). */
  count(meetingId?: string): number;
}

/**
 * The source side of a cascade: other nodes pull this node's producers through pipes. A pipe
 * is one PipeTransport on the meeting's first router, connected to the puller's end; each
 * producer pulled is a pipe consumer on it (a producer on another router of the meeting is piped
 * to the first one locally first). Only producers hosted here are served: a producer pulled from
 * a third node is pulled from that node, never relayed, so media crosses at most one link.
 */
/**
 * What the pipe server needs of one meeting's media on this node: a narrow view the Room
 * satisfies, so that the child never imports its parent (media/room.ts imports the cascade).
 */
export interface PipeSource {
  readonly closed: boolean;
  readonly producers: ReadonlyMap<string, ProducerEntry>;
  firstRouter(): Promise<types.Router>;
  ensureOnRouter(entry: ProducerEntry, router: types.Router): Promise<void>;
}

export function createPipeServer(deps: {
  room(meetingId: string): PipeSource | undefined;
  listen: PipeListen;
  logger: Logger;
}): PipeServer {
  const pipes = new Map<string, ServedPipe>();

  function pipeOf(peer: LinkPeer, pipeId: string): ServedPipe {
    const pipe = pipes.get(pipeId);
    if (!pipe || pipe.peer.id !== peer.id || pipe.transport.closed)
      throw new ConferError('CONFER_MEDIA_UNKNOWN_TRANSPORT', 'No such pipe on this link', 'pipeId');
    return pipe;
  }

  async function open(peer: LinkPeer, request: LinkRequest<'pipe:open'>): Promise<LinkAnswer<'pipe:open'>> {
    const room = deps.room(request.meetingId);
    if (!room || room.closed)
      throw new ConferError(
        'CONFER_MEDIA_UNAVAILABLE',
        'This node has no media of that meeting',
        'meetingId',
      );
    const router = await room.firstRouter();
    const transport = await router.createPipeTransport(
      pipeTransportOptions(deps.listen, { meetingId: request.meetingId, pullerNode: peer.nodeId }),
    );
    const pipe: ServedPipe = {
      meetingId: request.meetingId,
      peer,
      router,
      transport,
      consumers: new Map(),
      quiet: false,
    };
    pipes.set(transport.id, pipe);
    transport.observer.once('close', () => {
      pipes.delete(transport.id);
      if (!pipe.quiet) peer.notify('pipe:closed', { meetingId: pipe.meetingId, pipeId: transport.id });
    });
    try {
      await transport.connect(request.end);
    } catch (error) {
      pipe.quiet = true;
      transport.close();
      throw new ConferError('CONFER_MEDIA_INVALID_PARAMETERS', `end: ${String(error)}`.slice(0, 200), 'end');
    }
    return { pipeId: transport.id, end: localEnd(transport) };
  }

  async function consume(
    peer: LinkPeer,
    request: LinkRequest<'pipe:consume'>,
  ): Promise<LinkAnswer<'pipe:consume'>> {
    const pipe = pipeOf(peer, request.pipeId);
    const room = deps.room(pipe.meetingId);
    const entry = room?.producers.get(request.producerId);
    if (!room || !entry || entry.producer.closed || entry.remoteNode !== undefined)
      throw new ConferError(
        'CONFER_MEDIA_UNKNOWN_PRODUCER',
        'This node does not host that producer',
        'producerId',
      );
    let pending = pipe.consumers.get(request.producerId);
    if (!pending) {
      pending = (async () => {
        await room.ensureOnRouter(entry, pipe.router);
        return pipe.transport.consume({ producerId: request.producerId });
      })();
      pipe.consumers.set(request.producerId, pending);
      pending.then(
        (consumer) => watch(pipe, consumer, request.producerId),
        () => pipe.consumers.delete(request.producerId),
      );
    }
    const consumer = await pending;
    if (consumer.closed)
      throw new ConferError('CONFER_MEDIA_UNKNOWN_PRODUCER', 'The producer closed meanwhile', 'producerId');
    return {
      producerId: request.producerId,
      participantId: entry.participantId,
      source: entry.source,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
    };
  }

  /** Tells the puller what happens to the producer: pause, resume, end. */
  function watch(pipe: ServedPipe, consumer: types.Consumer, producerId: string): void {
    const { meetingId, peer } = pipe;
    const pipeId = pipe.transport.id;
    const paused = (value: boolean) => () =>
      peer.notify('pipe:producer-paused', { meetingId, pipeId, producerId, paused: value });
    consumer.observer.on('pause', paused(true));
    consumer.observer.on('resume', paused(false));
    consumer.observer.once('close', () => {
      pipe.consumers.delete(producerId);
      if (!pipe.quiet && !pipe.transport.closed)
        peer.notify('pipe:producer-closed', { meetingId, pipeId, producerId });
    });
  }

  function close(peer: LinkPeer, request: LinkRequest<'pipe:close'>): LinkAnswer<'pipe:close'> {
    const pipe = pipes.get(request.pipeId);
    if (pipe && pipe.peer.id === peer.id) {
      pipe.quiet = true;
      pipe.transport.close();
    }
    return {};
  }

  return {
    async request(peer, type, payload) {
      if (!Object.prototype.hasOwnProperty.call(LinkRequestSchemas, type))
        throw new ConferError('CONFER_UNKNOWN_MESSAGE', `Unknown link message "${type}"`, 'type');
      const parsed = LinkRequestSchemas[type as LinkRequestType].safeParse(payload);
      if (!parsed.success) throw validationError(parsed.error);
      switch (type as LinkRequestType) {
        case 'pipe:open':
          return open(peer, parsed.data as LinkRequest<'pipe:open'>);
        case 'pipe:consume':
          return consume(peer, parsed.data as LinkRequest<'pipe:consume'>);
        case 'pipe:close':
          return close(peer, parsed.data as LinkRequest<'pipe:close'>);
      }
    },
    peerGone(peer) {
      for (const pipe of [...pipes.values()]) {
        if (pipe.peer.id !== peer.id) continue;
        pipe.quiet = true;
        pipe.transport.close();
      }
    },
    count(meetingId) {
      let n = 0;
      for (const pipe of pipes.values()) if (meetingId === undefined || pipe.meetingId === meetingId) n++;
      return n;
    },
  };
}

/** This side's end of a pipe, as the other side connects to it. */
export function localEnd(transport: types.PipeTransport): PipeEnd {
  const { srtpParameters } = transport;
  if (srtpParameters?.cryptoSuite !== 'AEAD_AES_256_GCM')
    throw new Error('pipe transports are created with SRTP (AES-256-GCM)');
  const { cryptoSuite, keyBase64 } = srtpParameters;
  return {
    ip: transport.tuple.localIp,
    port: transport.tuple.localPort,
    srtpParameters: { cryptoSuite, keyBase64 },
  };
}
