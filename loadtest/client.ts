import type { Consumer, Device, RtpEncodingParameters, Transport } from 'mediasoup-client/types';
import type { ChatView, NewProducerView } from '../protocol/signaling';
import type { ErrorTally } from './errors';
import { LoadTestError } from './errors';
import { readStamp, stampAge } from './frame-stamp';
import { MeetingSocket, restApi, type JoinAnswer } from './signaling';
import { emptyTraffic, readTraffic, readTransport, type TransportReading } from './traffic';
import type { SyntheticMedia, SyntheticPublisher } from './synthetic-media';
import { createWeriftDevice, watchFirstPacket } from './werift';

/** The web client's camera layers (web/src/session/media-session.ts), so the SFU sees the same. */
const SIMULCAST: RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];
const SINGLE: RtpEncodingParameters[] = [{ maxBitrate: 1_200_000 }];
const CHAT_PREFIX = 'load-test ';

export interface ClientSpec {
  baseUrl: string;
  meetingId: string;
  name: string;
  role: 'publisher' | 'subscriber';
  video: boolean;
  simulcast: boolean;
  resolution: { width: number; height: number };
  /**
   * Subscribers only: decode video with libwebrtc (time to first frame and latency from the
   * pixels), or receive with werift without decoding, as `lk load-test`'s subscribers do, so
   * that one tester can carry hundreds (loadtest/werift.ts).
   */
  decodes: boolean;
  /**
   * Read every decoded frame's stamp (one-way latency). Otherwise only the first frame is read
   * (time to first frame) and the sink detached: handing every 720p frame to JavaScript costs the
   * tester more than decoding it, and a sample of subscribers per meeting measures the latency.
   */
  readsEveryFrame: boolean;
  /** Checks an address the server hands out (webSocketUrl) against the loopback rule. */
  checkTarget(origin: string): void;
}

/** What the run collects from every client, on one clock (`now`, milliseconds). */
export interface Samples {
  joinMs: number[];
  firstMediaMs: number[];
  videoLatencyMs: number[];
  unreadableFrames: { count: number };
  chatLatencyMs: number[];
  chatAckMs: number[];
}

export const emptySamples = (): Samples => ({
  joinMs: [],
  firstMediaMs: [],
  videoLatencyMs: [],
  unreadableFrames: { count: 0 },
  chatLatencyMs: [],
  chatAckMs: [],
});

/** What the run drives and reads of a participant, wherever it runs (this thread or a subscriber thread). */
export interface LoadParticipant {
  readonly joined: boolean;
  readonly participantId: string;
  /** A subscriber received media (a decoded frame, or a packet when it does not decode). */
  readonly receivedMedia: boolean;
  join(): Promise<void>;
  sendChat(): Promise<void>;
  traffic(): Promise<TransportReading & { seconds: number }>;
  leave(): Promise<void>;
  close(): void;
}

/**
 * One participant as the web client is one: REST join, socket.io `join`, router capabilities into
 * a mediasoup-client Device, a send transport (publishers) or a receive transport (subscribers),
 * `media:produce` / `media:consume` + `media:resume-consumer`. Failures go to the tally by code.
 */
export class LoadClient implements LoadParticipant {
  private socket: MeetingSocket | null = null;
  private device: Device | null = null;
  private send: Transport | null = null;
  private recv: Transport | null = null;
  private publisher: SyntheticPublisher | null = null;
  private readonly consumers: Consumer[] = [];
  private readonly sinks: { stop(): void }[] = [];
  private pending: NewProducerView[] = [];
  private closing = false;
  private mediaSince = 0;
  participantId = '';
  joined = false;

  constructor(
    private readonly spec: ClientSpec,
    /** Publishers' synthetic audio and video (null where no one publishes: a subscriber thread). */
    private readonly media: SyntheticMedia | null,
    private readonly samples: Samples,
    private readonly errors: ErrorTally,
    private readonly now: () => number,
  ) {}

  get speaking(): boolean {
    return this.publisher?.speaking ?? false;
  }

  set speaking(on: boolean) {
    if (this.publisher) this.publisher.speaking = on;
  }

  async join(): Promise<void> {
    const started = this.now();
    this.joinStarted = started;
    const answer: JoinAnswer = await restApi(this.spec.baseUrl).join(this.spec.meetingId, this.spec.name);
    if (answer.status !== 'joined')
      throw new LoadTestError('WAITING_ROOM', 'the meeting put the client in its waiting room');
    this.participantId = answer.participantId;
    this.spec.checkTarget(new URL(answer.webSocketUrl).origin);
    const socket = await MeetingSocket.connect(answer.webSocketUrl, answer.token);
    this.socket = socket;
    socket.on('disconnect', (reason: string) => {
      if (!this.closing)
        this.errors.add(new LoadTestError('DISCONNECTED', `socket dropped: ${reason}`), this.spec.name);
    });
    socket.on('media:new-producer', (view: NewProducerView) => this.onNewProducer(view));
    socket.on('chat', (chat: ChatView) => this.onChat(chat));
    const joinResult = await socket.request('join', {});
    if (!joinResult.media)
      throw new LoadTestError('CONFER_MEDIA_UNAVAILABLE', 'the server has no SFU for this meeting');

    const { rtpCapabilities } = await socket.request('media:router-capabilities', {});
    // libwebrtc loads only where something decodes or publishes: a subscriber thread never loads it.
    const device =
      this.spec.role === 'subscriber' && !this.spec.decodes
        ? createWeriftDevice()
        : await (await import('./wrtc')).createDevice();
    await device.load({ routerRtpCapabilities: rtpCapabilities as never });
    this.device = device;
    await socket.request('media:set-rtp-capabilities', { rtpCapabilities: device.recvRtpCapabilities });

    if (this.spec.role === 'subscriber') {
      this.recv = device.createRecvTransport(
        this.transportOptions(await socket.request('media:create-transport', { direction: 'recv' })),
      );
      this.wire(this.recv);
      this.mediaSince = this.now();
      this.joined = true;
      this.samples.joinMs.push(this.now() - started);
      const pending = this.pending;
      this.pending = [];
      for (const view of pending) void this.consume(view);
      return;
    }

    this.send = device.createSendTransport(
      this.transportOptions(await socket.request('media:create-transport', { direction: 'send' })),
    );
    this.wire(this.send);
    this.send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      socket
        .request('media:produce', {
          transportId: this.send!.id,
          kind,
          rtpParameters,
          source: appData['source'] as 'microphone' | 'camera',
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
    const { width, height } = this.spec.resolution;
    if (!this.media) throw new Error('a publisher needs synthetic media');
    this.publisher = this.media.createPublisher({ width, height, video: this.spec.video });
    await this.send.produce({
      track: this.publisher.audioTrack,
      stopTracks: false,
      appData: { source: 'microphone' },
      codecOptions: { opusDtx: true, opusFec: true },
    });
    if (this.publisher.videoTrack)
      await this.send.produce({
        track: this.publisher.videoTrack,
        stopTracks: false,
        appData: { source: 'camera' },
        encodings: this.spec.simulcast ? SIMULCAST : SINGLE,
        codecOptions: { videoGoogleStartBitrate: 1000 },
      });
    this.mediaSince = this.now();
    this.joined = true;
    this.samples.joinMs.push(this.now() - started);
  }

  private joinStarted = 0;
  private firstMediaSeen = false;

  private onNewProducer(view: NewProducerView): void {
    if (this.spec.role !== 'subscriber') return;
    if (!this.recv) this.pending.push(view);
    else void this.consume(view);
  }

  private async consume(view: NewProducerView): Promise<void> {
    const joinStarted = this.joinStarted;
    const socket = this.socket;
    const recv = this.recv;
    if (!socket || !recv || this.closing) return;
    try {
      const answer = await socket.request('media:consume', { producerId: view.producerId });
      const consumer = await recv.consume({
        id: answer.consumerId,
        producerId: answer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters as never,
        streamId: `${answer.participantId}-av`,
      });
      this.consumers.push(consumer);
      if (!this.spec.decodes) this.sinks.push(watchFirstPacket(consumer.track, () => this.packetSeen()));
      else if (consumer.kind === 'video') await this.watchVideo(consumer, joinStarted);
      else if (!this.spec.video) this.watchAudio(joinStarted);
      await socket.request('media:resume-consumer', { consumerId: consumer.id });
      if (consumer.kind === 'video') {
        // A tile the size of the picture: the SFU sends the top layer, as to a speaker view.
        const { width, height } = this.spec.resolution;
        await socket.request('media:report-viewport', {
          tiles: [{ consumerId: consumer.id, width, height }],
        });
      }
    } catch (error) {
      if (!this.closing) this.errors.add(error, `${this.spec.name} consume`);
    }
  }

  /** Every decoded frame: its stamp gives the one-way latency; the first gives time to first frame. */
  private async watchVideo(consumer: Consumer, joinStarted: number): Promise<void> {
    const { RTCVideoSink } = await import('./wrtc');
    const sink = new RTCVideoSink(consumer.track as never);
    this.sinks.push(sink);
    sink.onframe = (event: { frame: { width: number; height: number; data: Uint8Array } }) => {
      const now = this.now();
      this.firstMedia(now - joinStarted);
      if (!this.spec.readsEveryFrame) sink.stop();
      const { width, height, data } = event.frame;
      const stamp = readStamp(data, width, height);
      if (stamp === undefined) this.samples.unreadableFrames.count++;
      else this.samples.videoLatencyMs.push(stampAge(stamp, now));
    };
  }

  /** Audio-only runs: the first decoded audio is the first media; polled, not a per-10-ms callback. */
  private watchAudio(joinStarted: number): void {
    const timer = setInterval(async () => {
      if (this.closing || this.firstMediaSeen) return clearInterval(timer);
      const traffic = await readTraffic(this.recv!).catch(() => emptyTraffic());
      if (traffic.audio.packetsReceived > 0) {
        clearInterval(timer);
        this.firstMedia(this.now() - joinStarted);
      }
    }, 20);
    this.sinks.push({ stop: () => clearInterval(timer) });
  }

  /** A subscriber that does not decode has media at its first packet (no frame to time). */
  private packetSeen(): void {
    this.firstMediaSeen = true;
  }

  private firstMedia(ms: number): void {
    if (this.firstMediaSeen) return;
    this.firstMediaSeen = true;
    this.samples.firstMediaMs.push(ms);
  }

  get receivedMedia(): boolean {
    return this.firstMediaSeen;
  }

  async sendChat(): Promise<void> {
    if (!this.socket || this.closing) return;
    const sent = this.now();
    try {
      await this.socket.request('chat', { message: `${CHAT_PREFIX}${sent.toFixed(3)}` });
      this.samples.chatAckMs.push(this.now() - sent);
    } catch (error) {
      if (!this.closing) this.errors.add(error, `${this.spec.name} chat`);
    }
  }

  private onChat(chat: ChatView): void {
    if (chat.from === this.participantId || !chat.message.startsWith(CHAT_PREFIX)) return;
    const sent = Number(chat.message.slice(CHAT_PREFIX.length));
    if (Number.isFinite(sent)) this.samples.chatLatencyMs.push(this.now() - sent);
  }

  /** Packets and bytes so far, with how long this client's media has been running and its SRTP suite. */
  async traffic(): Promise<TransportReading & { seconds: number }> {
    const transport = this.send ?? this.recv;
    const reading: TransportReading = (transport
      ? await readTransport(transport).catch(() => undefined)
      : undefined) ?? { traffic: emptyTraffic(), srtpCipher: null };
    return { ...reading, seconds: this.mediaSince ? (this.now() - this.mediaSince) / 1000 : 0 };
  }

  /** Leaves the meeting (best effort, bounded by the request deadline) and closes everything. */
  async leave(): Promise<void> {
    this.closing = true;
    for (const sink of this.sinks) sink.stop();
    if (this.socket && this.joined) await this.socket.request('leave', {}).catch(() => undefined);
    this.close();
  }

  close(): void {
    this.closing = true;
    for (const sink of this.sinks) sink.stop();
    this.publisher?.stop();
    this.send?.close();
    this.recv?.close();
    this.socket?.close();
    this.socket = null;
  }

  private transportOptions(answer: {
    id: string;
    iceParameters: object;
    iceCandidates: object[];
    dtlsParameters: object;
    iceServers: RTCIceServer[];
  }) {
    return {
      id: answer.id,
      iceParameters: answer.iceParameters as never,
      iceCandidates: answer.iceCandidates as never,
      dtlsParameters: answer.dtlsParameters as never,
      iceServers: answer.iceServers,
    };
  }

  private wire(transport: Transport): void {
    const socket = this.socket!;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      socket
        .request('media:connect-transport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed' && !this.closing)
        this.errors.add(
          new LoadTestError('MEDIA_TRANSPORT_FAILED', `${transport.direction} transport failed`),
          this.spec.name,
        );
    });
  }
}
