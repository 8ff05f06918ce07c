import { askNode } from '../../protocol/node-link-ask';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { ConferError } from '../../domain/shared/errors';
import type { MediaSource } from '../peer';
import {
  LinkNotificationSchemas,
  type LinkAnswer,
  type LinkNotification,
  type LinkNotificationType,
  type LinkRequestType,
} from '../../protocol/node-link';
import type { NodeLinks } from '../../protocol/node-link.port';
import { localEnd } from './pipe-server';
import { pipeTransportOptions, type PipeListen } from './pipe-transport';

/** A producer of the meeting hosted by another node (from its MediaPublished event). */
export interface RemoteProducerInfo {
  producerId: string;
  participantId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  nodeId: string;
}

interface PulledPipe {
  nodeId: string;
  pipeId: string;
  transport: types.PipeTransport;
  router: types.Router;
  /** What the source said of a producer before it existed here (its pause state, or its end). */
  early: Map<string, boolean | 'closed'>;
}

export interface RemoteProducersDeps {
  meetingId: string;
  links: NodeLinks;
  listen: PipeListen;
  logger: Logger;
  /** The router pipes land on (the meeting's first router here). */
  firstRouter(): Promise<types.Router>;
  /** A pulled producer is ready here: it joins the meeting's producers on this node. */
  adopt(producer: types.Producer, info: RemoteProducerInfo, router: types.Router): void;
  /** Waits between attempts to pull a producer whose node did not answer (the last one repeats). */
  retryDelaysMs?: readonly number[];
}

const defaultRetryDelaysMs = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * The puller side of a cascade, for one meeting on this node: every producer the meeting has on
 * other nodes is pulled here as soon as it is known, through one pipe per source node, so that
 * this node's participants consume it like a local one. A producer stays known until its
 * MediaUnpublished (or its source says it closed); while its node cannot be reached, pulling is
 * retried with growing waits.
 */
export class RemoteProducers {
  private readonly known = new Map<string, RemoteProducerInfo>();
  private readonly pulled = new Map<string, types.Producer>();
  private readonly pulling = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** nodeId → the pipe to it (opening or open). */
  private readonly pipes = new Map<string, Promise<PulledPipe>>();
  private readonly pipeById = new Map<string, PulledPipe>();
  private closed = false;

  constructor(private readonly deps: RemoteProducersDeps) {}

  /** A producer of another node: pull it (once). */
  learn(info: RemoteProducerInfo): void {
    if (this.closed || this.known.has(info.producerId)) return;
    this.known.set(info.producerId, info);
    void this.pull(info.producerId);
  }

  /** The producer ended: stop it here and stop trying. */
  forget(producerId: string): void {
    this.known.delete(producerId);
    this.attempts.delete(producerId);
    const retry = this.retries.get(producerId);
    if (retry) clearTimeout(retry);
    this.retries.delete(producerId);
    const producer = this.pulled.get(producerId);
    this.pulled.delete(producerId);
    producer?.close();
  }

  forgetParticipant(participantId: string): void {
    for (const info of [...this.known.values()])
      if (info.participantId === participantId) this.forget(info.producerId);
  }

  /** A notification from a source node (checked against the link protocol first). */
  notification(nodeId: string, type: LinkNotificationType, payload: unknown): void {
    const parsed = LinkNotificationSchemas[type].safeParse(payload);
    if (!parsed.success) {
      this.deps.logger.warn({ nodeId, type }, 'ignored a malformed node link notification');
      return;
    }
    const pipe = this.pipeById.get(parsed.data.pipeId);
    if (!pipe || pipe.nodeId !== nodeId) return;
    if (type === 'pipe:closed') {
      pipe.transport.close();
      return;
    }
    const { producerId } = parsed.data as LinkNotification<'pipe:producer-closed'>;
    const producer = this.pulled.get(producerId);
    if (type === 'pipe:producer-closed') {
      if (producer) this.forget(producerId);
      else pipe.early.set(producerId, 'closed');
      return;
    }
    const { paused } = parsed.data as LinkNotification<'pipe:producer-paused'>;
    if (!producer) pipe.early.set(producerId, paused);
    else void this.setPaused(producer, paused);
  }

  /** The link to `nodeId` dropped: its pipe is gone; pulling starts again when it answers. */
  linkLost(nodeId: string): void {
    for (const pipe of [...this.pipeById.values()]) if (pipe.nodeId === nodeId) pipe.transport.close();
  }

  /** Producers pulled here now (for describe and tests). */
  count(): { known: number; pulled: number; pipes: number } {
    return { known: this.known.size, pulled: this.pulled.size, pipes: this.pipeById.size };
  }

  /** The meeting closed here: every pipe is closed, and the sources are told. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const pipe of [...this.pipeById.values()]) {
      pipe.transport.close();
      void this.deps.links.request(pipe.nodeId, 'pipe:close', { pipeId: pipe.pipeId }).catch(() => undefined);
    }
    this.known.clear();
    this.pulled.clear();
  }

  private async pull(producerId: string): Promise<void> {
    const info = this.known.get(producerId);
    if (this.closed || !info || this.pulled.has(producerId) || this.pulling.has(producerId)) return;
    this.pulling.add(producerId);
    try {
      const pipe = await this.pipeTo(info.nodeId);
      const answer = await this.ask(info.nodeId, 'pipe:consume', { pipeId: pipe.pipeId, producerId });
      if (this.closed || !this.known.has(producerId) || pipe.transport.closed) return;
      const early = pipe.early.get(producerId);
      pipe.early.delete(producerId);
      const producer = await pipe.transport.produce({
        id: producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters as types.RtpParameters,
        paused: typeof early === 'boolean' ? early : answer.paused,
        appData: { participantId: answer.participantId, source: answer.source, remoteNode: info.nodeId },
      });
      if (this.closed || early === 'closed' || !this.known.has(producerId)) {
        producer.close();
        if (early === 'closed') this.forget(producerId);
        return;
      }
      this.pulled.set(producerId, producer);
      this.attempts.delete(producerId);
      producer.observer.once('close', () => {
        if (this.pulled.get(producerId) === producer) this.pulled.delete(producerId);
      });
      const adopted = { ...info, participantId: answer.participantId, source: answer.source };
      this.deps.adopt(producer, adopted, pipe.router);
    } catch (error) {
      if (error instanceof ConferError && error.code === 'CONFER_MEDIA_UNKNOWN_PRODUCER') {
        // Gone at its source (its end is on its way through the events): nothing to pull.
        this.forget(producerId);
        return;
      }
      this.deps.logger.info(
        { err: error, meetingId: this.deps.meetingId, producerId, nodeId: info.nodeId },
        'could not pull a producer from its node yet',
      );
      this.retryLater(producerId);
    } finally {
      this.pulling.delete(producerId);
    }
  }

  private retryLater(producerId: string): void {
    if (this.closed || !this.known.has(producerId) || this.retries.has(producerId)) return;
    const delays = this.deps.retryDelaysMs ?? defaultRetryDelaysMs;
    const attempt = this.attempts.get(producerId) ?? 0;
    this.attempts.set(producerId, attempt + 1);
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 1000;
    const timer = setTimeout(() => {
      this.retries.delete(producerId);
      void this.pull(producerId);
    }, delay);
    timer.unref();
    this.retries.set(producerId, timer);
  }

  /** The pipe to `nodeId`, opened once (both ends created and connected). */
  private pipeTo(nodeId: string): Promise<PulledPipe> {
    let pipe = this.pipes.get(nodeId);
    if (!pipe) {
      pipe = this.openPipe(nodeId);
      this.pipes.set(nodeId, pipe);
      const opened = pipe;
      opened.catch(() => {
        if (this.pipes.get(nodeId) === opened) this.pipes.delete(nodeId);
      });
    }
    return pipe;
  }

  private async openPipe(nodeId: string): Promise<PulledPipe> {
    const router = await this.deps.firstRouter();
    const transport = await router.createPipeTransport(
      pipeTransportOptions(this.deps.listen, { meetingId: this.deps.meetingId, sourceNode: nodeId }),
    );
    try {
      const answer = await this.ask(nodeId, 'pipe:open', {
        meetingId: this.deps.meetingId,
        end: localEnd(transport),
      });
      await transport.connect(answer.end);
      if (this.closed) throw new ConferError('CONFER_MEDIA_UNAVAILABLE', "This meeting's media was closed");
      const pipe: PulledPipe = { nodeId, pipeId: answer.pipeId, transport, router, early: new Map() };
      this.pipeById.set(pipe.pipeId, pipe);
      transport.observer.once('close', () => this.pipeClosed(pipe));
      return pipe;
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /** Its producers closed with it (mediasoup closes them): pull what is still known again. */
  private pipeClosed(pipe: PulledPipe): void {
    this.pipeById.delete(pipe.pipeId);
    // One pipe per node at a time: the entry for its node is this pipe's, and must not be reused.
    this.pipes.delete(pipe.nodeId);
    if (this.closed) return;
    this.deps.logger.info(
      { meetingId: this.deps.meetingId, nodeId: pipe.nodeId },
      'the pipe from a node closed: pulling what it carried again',
    );
    for (const info of this.known.values())
      if (info.nodeId === pipe.nodeId && !this.pulled.has(info.producerId)) this.retryLater(info.producerId);
  }

  private async setPaused(producer: types.Producer, paused: boolean): Promise<void> {
    try {
      if (paused && !producer.paused) await producer.pause();
      else if (!paused && producer.paused) await producer.resume();
    } catch (error) {
      if (!producer.closed)
        this.deps.logger.warn({ err: error, meetingId: this.deps.meetingId }, 'could not mirror a pause');
    }
  }

  /** Sends a request and checks its answer; a refusal comes back as the source's ConferError. */
  private ask<K extends LinkRequestType>(nodeId: string, type: K, payload: unknown): Promise<LinkAnswer<K>> {
    return askNode(this.deps.links, nodeId, type, payload);
  }
}
