import { randomUUID } from 'node:crypto';
import { Device, type types as client } from 'mediasoup-client';
import * as fakeParameters from 'mediasoup-client/fakeParameters';
import { FakeHandler } from 'mediasoup-client/handlers/FakeHandler';
import { ConferError, isConferError } from '../../domain/shared/errors';
import type { MediaMessageType } from '../../protocol/media-signaling.port';
import { ClientMessageSchemas, type Ack, type ServerToClientEvents } from '../../protocol/signaling';
import type { MediaSignaling } from '../../protocol/media-signaling.port';

type ServerEvent = keyof ServerToClientEvents;
type Payload<K extends ServerEvent> = Parameters<ServerToClientEvents[K]>[0];
export interface Received {
  event: ServerEvent;
  payload: unknown;
}

/** What FakeClient needs of a socket.io client socket. */
export interface SocketLike {
  emit(event: string, ...args: unknown[]): unknown;
  onAny(listener: (event: string, ...args: unknown[]) => void): unknown;
}

export interface ConsumeAnswer {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: client.RtpParameters;
  participantId: string;
  source: 'microphone' | 'camera' | 'screen';
  type: string;
  producerPaused: boolean;
}

/** Just enough of a MediaStreamTrack for mediasoup-client's fake handler. */
function fakeTrack(kind: 'audio' | 'video'): MediaStreamTrack {
  return {
    id: randomUUID(),
    kind,
    enabled: true,
    readyState: 'live',
    addEventListener() {},
    removeEventListener() {},
    stop() {},
  } as unknown as MediaStreamTrack;
}

const simulcast = [
  { rid: 'r0', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
  { rid: 'r1', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: 'r2', maxBitrate: 900_000 },
];

/**
 * A synthetic participant: mediasoup-client's Device with its fake handler (real RTP parameters,
 * no browser), speaking the media protocol through the MediaSignaling port or a real socket.
 */
export class FakeClient {
  readonly received: Received[] = [];
  readonly consumers = new Map<string, { answer: ConsumeAnswer; consumer: client.Consumer }>();
  readonly producers = new Map<string, client.Producer>();
  device?: Device;
  sendTransport?: client.Transport;
  recvTransport?: client.Transport;
  /** Consume (and resume) every announced producer, as the web client does. */
  autoConsume = false;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly meetingId: string,
    readonly participantId: string,
    private readonly send: (type: MediaMessageType, payload: unknown) => Promise<Ack>,
  ) {}

  /**
   * A client speaking to the SFU through the MediaSignaling port, as the socket gateway does
   * (payloads validated by the protocol's schemas, ConferErrors turned into acknowledgements).
   */
  static overPort(media: MediaSignaling, meetingId: string, participantId: string): FakeClient {
    const client: FakeClient = new FakeClient(meetingId, participantId, async (type, payload) => {
      const parsed = ClientMessageSchemas[type].safeParse(payload);
      if (!parsed.success) throw new Error(`test payload for ${type} is invalid: ${parsed.error.message}`);
      try {
        const data = await media.handle(type, parsed.data as never, {
          meetingId,
          participantId,
          channel: { emit: (event, message) => client.receive(event, message) },
        });
        return { ok: true, data };
      } catch (error) {
        if (!isConferError(error)) throw error;
        return {
          ok: false,
          error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
        };
      }
    });
    return client;
  }

  /** A client speaking over a connected socket.io socket (the real gateway in front of the SFU). */
  static overSocket(socket: SocketLike, meetingId: string, participantId: string): FakeClient {
    const client: FakeClient = new FakeClient(
      meetingId,
      participantId,
      (type, payload) => new Promise((resolve) => socket.emit(type, payload, (ack: Ack) => resolve(ack))),
    );
    socket.onAny((event: string, message: unknown) => client.receive(event as ServerEvent, message));
    return client;
  }

  /** A server message for this participant. */
  receive(event: ServerEvent, payload: unknown): void {
    this.received.push({ event, payload });
    if (event === 'media:new-producer' && this.autoConsume) {
      void this.consume((payload as Payload<'media:new-producer'>).producerId).catch(() => undefined);
    }
    for (const wake of [...this.waiters]) wake();
  }

  /** Sends a media message; resolves with its acknowledgement. */
  request(type: MediaMessageType, payload: unknown): Promise<Ack> {
    return this.send(type, payload);
  }

  /** Like request, but the answer's data, or a ConferError with the code. */
  async call<T = unknown>(type: MediaMessageType, payload: unknown = {}): Promise<T> {
    const ack = await this.request(type, payload);
    if (!ack.ok) throw new ConferError(ack.error.code as never, ack.error.message, ack.error.field);
    return ack.data as T;
  }

  /** Router capabilities → Device → own capabilities → send and receive transports. */
  async setup(options: { send?: boolean; recv?: boolean } = {}): Promise<void> {
    const { rtpCapabilities } = await this.call<{ rtpCapabilities: client.RtpCapabilities }>(
      'media:router-capabilities',
    );
    this.device = new Device({ handlerFactory: FakeHandler.createFactory(fakeParameters) });
    await this.device.load({ routerRtpCapabilities: rtpCapabilities });
    await this.call('media:set-rtp-capabilities', { rtpCapabilities: this.device.rtpCapabilities });
    if (options.send !== false) await this.createSendTransport();
    if (options.recv !== false) await this.createRecvTransport();
  }

  async createSendTransport(): Promise<client.Transport> {
    const device = this.requireDevice();
    const params = await this.call<client.TransportOptions>('media:create-transport', { direction: 'send' });
    const transport = device.createSendTransport(params);
    this.wireConnect(transport);
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.call<{ producerId: string }>('media:produce', {
        transportId: transport.id,
        kind,
        rtpParameters,
        source: appData['source'],
      }).then(({ producerId }) => callback({ id: producerId }), errback);
    });
    this.sendTransport = transport;
    return transport;
  }

  async createRecvTransport(): Promise<client.Transport> {
    const device = this.requireDevice();
    const params = await this.call<client.TransportOptions>('media:create-transport', { direction: 'recv' });
    const transport = device.createRecvTransport(params);
    this.wireConnect(transport);
    this.recvTransport = transport;
    return transport;
  }

  async produce(source: 'microphone' | 'camera' | 'screen'): Promise<client.Producer> {
    if (!this.sendTransport) throw new Error('no send transport');
    const producer = await this.sendTransport.produce({
      track: fakeTrack(source === 'microphone' ? 'audio' : 'video'),
      ...(source === 'camera' ? { encodings: simulcast } : {}),
      appData: { source },
    });
    this.producers.set(producer.id, producer);
    return producer;
  }

  async consume(producerId: string): Promise<ConsumeAnswer> {
    if (!this.recvTransport) throw new Error('no receive transport');
    const answer = await this.call<ConsumeAnswer>('media:consume', { producerId });
    if (!this.consumers.has(answer.consumerId)) {
      const consumer = await this.recvTransport.consume({
        id: answer.consumerId,
        producerId: answer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters,
      });
      this.consumers.set(answer.consumerId, { answer, consumer });
      await this.call('media:resume-consumer', { consumerId: answer.consumerId });
    }
    return answer;
  }

  /** Messages of one type received so far. */
  messages<K extends ServerEvent>(event: K): Payload<K>[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as Payload<K>);
  }

  /** Resolves with the first message of this type matching `match` (already received or coming). */
  next<K extends ServerEvent>(
    event: K,
    match: (payload: Payload<K>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Payload<K>> {
    return this.until(
      () => this.messages(event).find(match),
      `${event} for ${this.participantId}`,
      timeoutMs,
    );
  }

  /** Waits until `check` returns something (re-checked on every message and every 50 ms). */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(wake);
        fn();
      };
      const wake = () => {
        const value = check();
        if (value !== undefined && value !== false) done(() => resolve(value));
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for ${what}`))),
        timeoutMs,
      );
      const poll = setInterval(wake, 50);
      this.waiters.add(wake);
      wake();
    });
  }

  private wireConnect(transport: client.Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.call('media:connect-transport', { transportId: transport.id, dtlsParameters }).then(
        () => callback(),
        errback,
      );
    });
  }

  private requireDevice(): Device {
    if (!this.device) throw new Error('call setup() first');
    return this.device;
  }
}
