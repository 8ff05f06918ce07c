import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { ParticipantChannel } from '../protocol/media-signaling.port';
import { createSpeakerDebouncer, type SpeakerDebouncer } from './active-speaker';
import { preferredSpatialLayer } from './layers';
import {
  Peer,
  type CloseReason,
  type ConsumerEntry,
  type MediaSource,
  type ProducerEntry,
  type TransportDirection,
} from './peer';
import { RemoteProducers, type RemoteProducerInfo } from './cascade/remote-producers';
import type { NodeLinks } from '../protocol/node-link.port';
import type { PipeListen } from './cascade/pipe-transport';
import { RoomRouters } from './room-routers';
import type { WorkerPool } from './worker-pool';

export interface RoomDeps {
  meetingId: string;
  pool: WorkerPool;
  logger: Logger;
  consumersPerWorker: number;
  activeSpeakerDebounceMs: number;
  /** The debounced dominant speaker changed (becomes the command ChangeActiveSpeaker). */
  onActiveSpeaker(participantId: string | null): void;
  /** A producer closed, and why (the SFU records it with UnpublishMedia when its owner did not). */
  onProducerGone(entry: ProducerEntry, reason: CloseReason): void;
  /** Other nodes of the deployment, to pull this meeting's producers hosted there. */
  cascade?: { links: NodeLinks; listen: PipeListen; retryDelaysMs?: readonly number[] };
}

/** Transports per participant and direction; a further one replaces the oldest. */
const MAX_TRANSPORTS_PER_DIRECTION = 2;

export interface RoomDescription {
  meetingId: string;
  routers: Array<{ routerId: string; workerPid: number }>;
  /** Producers of other nodes: known from the events, pulled here, and the pipes they came by. */
  remote: { known: number; pulled: number; pipes: number };
  participants: Array<{
    participantId: string;
    routerId: string | null;
    transports: number;
    producers: number;
    consumers: number;
  }>;
}

/**
 * One meeting's media on this node: its participants' sessions, its producers, and the wiring
 * of mediasoup's events to the participants' channels (its routers and pipes are RoomRouters').
 * What reacts to meeting events lives in the SFU's controller.
 */
export class Room {
  readonly peers = new Map<string, Peer>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly speaker: SpeakerDebouncer;
  /** The meeting's producers hosted by other nodes (absent on a node without links). */
  readonly remote?: RemoteProducers;
  /** The committed active speaker (from ActiveSpeakerChanged): their camera gets the top layer. */
  activeSpeakerId: string | null = null;
  closed = false;
  private readonly routers: RoomRouters;
  private speakerObserver?: types.ActiveSpeakerObserver;
  /** Tearing down: no per-consumer notifications (the clients are told to renegotiate, or leave). */
  private quiet = false;
  private closeReason?: CloseReason;

  constructor(private readonly deps: RoomDeps) {
    this.speaker = createSpeakerDebouncer({
      minIntervalMs: deps.activeSpeakerDebounceMs,
      commit: (participantId) => deps.onActiveSpeaker(participantId),
    });
    this.routers = new RoomRouters({
      ...deps,
      producers: () => this.producers.values(),
      onFirstRouter: (router) => this.createSpeakerObserver(router),
    });
    if (deps.cascade) {
      this.remote = new RemoteProducers({
        meetingId: deps.meetingId,
        logger: deps.logger,
        ...deps.cascade,
        firstRouter: () => this.firstRouter(),
        adopt: (producer, info, router) => this.registerRemoteProducer(producer, info, router),
      });
    }
  }

  /** The meeting's first router (created on first need): where pipes to other nodes land. */
  async firstRouter(): Promise<types.Router> {
    return (await this.routers.first()).router;
  }

  get meetingId(): string {
    return this.deps.meetingId;
  }

  /** The participant's session, created on their first media message; the channel is refreshed. */
  peerFor(participantId: string, channel: ParticipantChannel): Peer {
    this.routers.assertUsable();
    let peer = this.peers.get(participantId);
    if (!peer) {
      peer = new Peer(participantId, channel);
      this.peers.set(participantId, peer);
    }
    peer.channel = channel;
    return peer;
  }

  /** The router of the participant's transports (chosen once per session). */
  assignRouter(peer: Peer): Promise<types.Router> {
    return this.routers.assign(peer);
  }

  registerTransport(
    peer: Peer,
    transport: types.WebRtcTransport,
    direction: TransportDirection,
    router: types.Router,
  ) {
    const sameDirection = [...peer.transports.values()].filter((t) => t.direction === direction);
    if (sameDirection.length >= MAX_TRANSPORTS_PER_DIRECTION) sameDirection[0]?.transport.close();
    peer.transports.set(transport.id, { transport, direction, router });
    transport.observer.once('close', () => peer.transports.delete(transport.id));
  }

  registerProducer(
    peer: Peer,
    producer: types.Producer,
    source: MediaSource,
    router: types.Router,
  ): ProducerEntry {
    const entry: ProducerEntry = {
      producer,
      owner: peer,
      participantId: peer.participantId,
      source,
      router,
      worker: this.routers.workerOf(router),
      published: false,
    };
    peer.producers.set(producer.id, entry);
    this.producers.set(producer.id, entry);
    producer.observer.once('close', () => this.producerClosed(entry));
    this.routers.spread(entry);
    if (producer.kind === 'audio') void this.observeSpeaker(entry);
    return entry;
  }

  /**
   * A producer pulled from the node hosting it: announced to the participants here at once (its
   * MediaPublished is what made it known), and heard by the active-speaker observer like a local one.
   */
  registerRemoteProducer(producer: types.Producer, info: RemoteProducerInfo, router: types.Router): void {
    if (this.closed) {
      producer.close();
      return;
    }
    const entry: ProducerEntry = {
      producer,
      participantId: info.participantId,
      source: info.source,
      router,
      worker: this.routers.workerOf(router),
      published: true,
      remoteNode: info.nodeId,
    };
    this.producers.set(producer.id, entry);
    producer.observer.once('close', () => this.producerClosed(entry));
    this.routers.spread(entry);
    if (producer.kind === 'audio') void this.observeSpeaker(entry);
    for (const peer of this.peers.values()) this.announceTo(peer, entry);
  }

  registerConsumer(peer: Peer, consumer: types.Consumer, producer: ProducerEntry): ConsumerEntry {
    const entry: ConsumerEntry = { consumer, producer, clientPaused: true, hidden: false };
    const ids = { consumerId: consumer.id, producerId: producer.producer.id };
    peer.consumers.set(consumer.id, entry);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      if (!this.quiet && !producer.worker.died) peer.channel.emit('media:consumer-closed', ids);
    });
    const paused = (value: boolean) => () =>
      peer.channel.emit('media:producer-paused', {
        producerId: producer.producer.id,
        participantId: producer.participantId,
        paused: value,
      });
    consumer.on('producerpause', paused(true));
    consumer.on('producerresume', paused(false));
    consumer.on('layerschange', (layers) =>
      peer.channel.emit('media:consumer-layers', {
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
        temporalLayer: layers?.temporalLayer ?? null,
      }),
    );
    return entry;
  }

  /** Makes the producer consumable on `router` (piping it there once). */
  ensureOnRouter(entry: ProducerEntry, router: types.Router): Promise<void> {
    return this.routers.ensureOn(entry, router);
  }

  /** The producer's MediaPublished is committed: tell every participant ready to receive it. */
  announcePublished(producerId: string): boolean {
    const entry = this.producers.get(producerId);
    if (!entry) return false;
    entry.published = true;
    for (const peer of this.peers.values()) this.announceTo(peer, entry);
    return true;
  }

  /** The participant can now receive: tell them about every producer they have not heard of. */
  announceExisting(peer: Peer): void {
    for (const entry of this.producers.values()) this.announceTo(peer, entry);
  }

  private announceTo(peer: Peer, entry: ProducerEntry): void {
    const { producer } = entry;
    if (!entry.published || producer.closed || entry.participantId === peer.participantId) return;
    if (peer.closed || !peer.readyToReceive || peer.announced.has(producer.id)) return;
    peer.announced.add(producer.id);
    peer.channel.emit('media:new-producer', {
      participantId: entry.participantId,
      producerId: producer.id,
      kind: producer.kind,
      source: entry.source,
      paused: producer.paused,
    });
  }

  /** Server-side mute/unmute of a participant's producers of these sources. */
  async setSourcesPaused(participantId: string, sources: MediaSource[], paused: boolean): Promise<void> {
    const peer = this.peers.get(participantId);
    if (!peer) return;
    const targets = [...peer.producers.values()].filter(
      (e) => sources.includes(e.source) && !e.producer.closed,
    );
    await Promise.all(
      targets.map((e) => (paused ? e.producer.pause() : e.producer.resume()).catch(() => undefined)),
    );
  }

  /** Pause/resume and preferred layer of a consumer from what its receiver and the room want. */
  async applyConsumerState(entry: ConsumerEntry): Promise<void> {
    const { consumer, producer } = entry;
    if (consumer.closed) return;
    try {
      const shouldPause = entry.clientPaused || entry.hidden;
      if (shouldPause && !consumer.paused) await consumer.pause();
      else if (!shouldPause && consumer.paused) await consumer.resume();
      if (consumer.type !== 'simulcast' && consumer.type !== 'svc') return;
      const isSpeakerCamera = producer.source === 'camera' && producer.participantId === this.activeSpeakerId;
      const layer = preferredSpatialLayer(entry.viewportLayer, isSpeakerCamera);
      if (layer !== undefined && layer !== entry.appliedLayer) {
        await consumer.setPreferredLayers({ spatialLayer: layer });
        entry.appliedLayer = layer;
      }
    } catch (error) {
      // Closed meanwhile (its producer or transport went away): nothing left to adjust.
      if (!consumer.closed) throw error;
    }
  }

  /** The committed active speaker changed: raise their camera's layer, lower the previous one's. */
  setActiveSpeaker(participantId: string | null): void {
    const previous = this.activeSpeakerId;
    this.activeSpeakerId = participantId;
    for (const peer of this.peers.values()) {
      for (const entry of peer.consumers.values()) {
        const owner = entry.producer.participantId;
        if (entry.producer.source === 'camera' && (owner === previous || owner === participantId)) {
          this.applyConsumerState(entry).catch((error: unknown) =>
            this.deps.logger.warn({ err: error, meetingId: this.meetingId }, 'could not set consumer layers'),
          );
        }
      }
    }
  }

  /** Closes a participant's transports (and so their producers and consumers). */
  closePeer(participantId: string, reason: CloseReason): void {
    const peer = this.peers.get(participantId);
    if (!peer) return;
    peer.close(reason);
    this.peers.delete(participantId);
  }

  /**
   * A worker of this meeting died (and was replaced): every transport of the meeting is gone or
   * stale, so the meeting starts again on a new router and its participants renegotiate.
   */
  async rebuild(reason: string): Promise<void> {
    if (this.closed) return;
    this.quiet = true;
    this.closeReason = 'rebuild';
    try {
      this.routers.reset();
      for (const peer of this.peers.values()) peer.closeMedia('rebuild');
    } finally {
      this.quiet = false;
      this.closeReason = undefined;
    }
    this.speakerObserver = undefined;
    try {
      await this.routers.first();
    } finally {
      for (const peer of this.peers.values()) peer.channel.emit('media:renegotiate', { reason });
    }
  }

  /** The meeting ended or nobody is left: close every router (and everything under them). */
  close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.quiet = true;
    this.closeReason = reason;
    this.remote?.close();
    for (const peer of this.peers.values()) peer.close(reason);
    this.routers.close();
    this.peers.clear();
    this.speaker.close();
  }

  usesWorker(worker: types.Worker): boolean {
    return this.routers.usesWorker(worker);
  }

  describe(): RoomDescription {
    return {
      meetingId: this.meetingId,
      routers: this.routers.list().map((r) => ({ routerId: r.router.id, workerPid: r.worker.pid })),
      remote: this.remote?.count() ?? { known: 0, pulled: 0, pipes: 0 },
      participants: [...this.peers.values()].map((p) => ({
        participantId: p.participantId,
        routerId: p.router?.id ?? null,
        transports: p.transports.size,
        producers: p.producers.size,
        consumers: p.consumers.size,
      })),
    };
  }

  private async createSpeakerObserver(router: types.Router): Promise<void> {
    const observer = await router.createActiveSpeakerObserver({ interval: 300 });
    observer.on('dominantspeaker', ({ producer }) => {
      const entry = this.producers.get(producer.id);
      if (entry) this.speaker.propose(entry.participantId);
    });
    this.speakerObserver = observer;
  }

  /** Adds a microphone to the active-speaker observer, which lives on the first router. */
  private async observeSpeaker(entry: ProducerEntry): Promise<void> {
    try {
      const observer = this.speakerObserver;
      const first = this.routers.list()[0];
      if (!observer || !first || observer.closed) return;
      await this.ensureOnRouter(entry, first.router);
      if (!entry.producer.closed) await observer.addProducer({ producerId: entry.producer.id });
    } catch (error) {
      if (!entry.producer.closed)
        this.deps.logger.warn(
          { err: error, meetingId: this.meetingId },
          'active-speaker observer refused a producer',
        );
    }
  }

  private producerClosed(entry: ProducerEntry): void {
    const id = entry.producer.id;
    entry.owner?.producers.delete(id);
    // A pulled producer re-pulled since has taken the id over: leave the new one in place.
    if (this.producers.get(id) === entry) this.producers.delete(id);
    this.routers.forgetProducer(id);
    const reason =
      entry.closeReason ??
      (entry.worker.died ? 'worker-lost' : undefined) ??
      entry.owner?.closeReason ??
      this.closeReason ??
      'transport-closed';
    if (!this.quiet && !entry.worker.died) {
      for (const peer of this.peers.values()) {
        if (peer.announced.delete(id))
          peer.channel.emit('media:producer-closed', { producerId: id, participantId: entry.participantId });
      }
    }
    this.deps.onProducerGone(entry, reason);
  }
}
