import type { types } from 'mediasoup';
import { ConferError } from '../domain/shared/errors';
import type { ParticipantChannel } from '../protocol/media-signaling.port';

export type MediaSource = 'microphone' | 'camera' | 'screen';
export type TransportDirection = 'send' | 'recv';

/** Why a producer went away: decides whether the SFU records it (UnpublishMedia) itself. */
export type CloseReason =
  | 'client'
  | 'rejected'
  | 'left'
  | 'disconnected'
  | 'worker-lost'
  | 'rebuild'
  | 'meeting-ended'
  | 'room-empty'
  | 'shutdown'
  | 'unpublished'
  | 'transport-closed';

export interface TransportEntry {
  transport: types.WebRtcTransport;
  direction: TransportDirection;
  router: types.Router;
}

export interface ProducerEntry {
  producer: types.Producer;
  /** The participant's session on this node; none for a producer pulled from another node. */
  owner?: Peer;
  /** The node hosting the producer, when it was pulled from there (media/cascade). */
  remoteNode?: string;
  participantId: string;
  source: MediaSource;
  router: types.Router;
  worker: types.Worker;
  /** Its MediaPublished event is committed: it may be announced to others. */
  published: boolean;
  closeReason?: CloseReason;
}

export interface ConsumerEntry {
  consumer: types.Consumer;
  producer: ProducerEntry;
  /** Paused by the receiving client (consumers start so, until it resumes them). */
  clientPaused: boolean;
  /** The receiver reported its tile as not visible (0×0). */
  hidden: boolean;
  viewportLayer?: number;
  appliedLayer?: number;
}

/**
 * One participant's media on this node: their transports, producers, consumers and device
 * capabilities, and every id check ("does this id belong to this participant?"). `epoch` changes
 * whenever the session is torn down, so a request that was in flight meanwhile can tell.
 */
export class Peer {
  router?: types.Router;
  rtpCapabilities?: types.RtpCapabilities;
  readonly transports = new Map<string, TransportEntry>();
  readonly producers = new Map<string, ProducerEntry>();
  readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers this participant was told about (media:new-producer), so none is told twice. */
  readonly announced = new Set<string>();
  epoch = 0;
  closed = false;
  closeReason?: CloseReason;

  constructor(
    readonly participantId: string,
    public channel: ParticipantChannel,
  ) {}

  transport(transportId: string): TransportEntry {
    const entry = this.transports.get(transportId);
    if (!entry || entry.transport.closed)
      throw new ConferError('CONFER_MEDIA_UNKNOWN_TRANSPORT', undefined, 'transportId');
    return entry;
  }

  sendTransport(transportId: string): TransportEntry {
    const entry = this.transport(transportId);
    if (entry.direction !== 'send') {
      throw new ConferError('CONFER_MEDIA_UNKNOWN_TRANSPORT', 'This transport only receives', 'transportId');
    }
    return entry;
  }

  /** The newest receive transport: where consumers are created. */
  recvTransport(): TransportEntry | undefined {
    let newest: TransportEntry | undefined;
    for (const entry of this.transports.values())
      if (entry.direction === 'recv' && !entry.transport.closed) newest = entry;
    return newest;
  }

  /** Capabilities known and a receive transport open: media:new-producer can be acted on. */
  get readyToReceive(): boolean {
    return this.rtpCapabilities !== undefined && this.recvTransport() !== undefined;
  }

  producer(producerId: string): ProducerEntry {
    const entry = this.producers.get(producerId);
    if (!entry || entry.producer.closed)
      throw new ConferError('CONFER_MEDIA_UNKNOWN_PRODUCER', undefined, 'producerId');
    return entry;
  }

  consumer(consumerId: string): ConsumerEntry {
    const entry = this.consumers.get(consumerId);
    if (!entry || entry.consumer.closed)
      throw new ConferError('CONFER_MEDIA_UNKNOWN_CONSUMER', undefined, 'consumerId');
    return entry;
  }

  producerOf(source: MediaSource): ProducerEntry | undefined {
    for (const entry of this.producers.values())
      if (entry.source === source && !entry.producer.closed) return entry;
    return undefined;
  }

  /** Throws when the session was torn down since `epoch` was read (the caller closes what it made). */
  assertEpoch(epoch: number): void {
    if (this.closed || this.epoch !== epoch) {
      throw new ConferError(
        'CONFER_MEDIA_UNAVAILABLE',
        'The media session was closed or reset meanwhile; negotiate again',
      );
    }
  }

  /**
   * Closes every transport (mediasoup closes their producers and consumers with them, and the
   * observers registered by the room clean the maps) and starts a new epoch.
   */
  closeMedia(reason: CloseReason): void {
    this.closeReason = reason;
    try {
      for (const { transport } of [...this.transports.values()]) transport.close();
    } finally {
      this.closeReason = undefined;
    }
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
    this.announced.clear();
    this.router = undefined;
    this.epoch++;
  }

  close(reason: CloseReason): void {
    this.closeMedia(reason);
    this.closed = true;
  }
}
