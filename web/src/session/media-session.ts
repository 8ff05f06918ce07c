import type { Device, Consumer, Producer, RtpEncodingParameters, Transport } from 'mediasoup-client/types';
import type { NewProducerView } from '../../../protocol/signaling';
import type { MediaStatus, RemoteTrack, Source } from './meeting-state';
import type { Answer } from './media-types';
import { SignalingError, type SignalingClient } from './signaling-client';

type TransportAnswer = Answer<'media:create-transport'>;

export interface MediaSessionCallbacks {
  onStatus(status: MediaStatus, detail: string | null): void;
  /** A remote track appeared (or, with undefined, went away). */
  onRemoteTrack(participantId: string, source: Source, track: RemoteTrack | undefined): void;
  onRemotePaused(participantId: string, source: Source, paused: boolean): void;
  /** The browser ended the screen capture (the person clicked "Stop sharing" in its bar). */
  onScreenEnded(): void;
}

export interface InboundStat {
  kind: 'audio' | 'video';
  participantId: string;
  source: Source;
  consumerId: string;
  framesDecoded?: number;
  frameWidth?: number;
  bytesReceived: number;
  packetsReceived: number;
}

/** Camera: three simulcast layers, so the SFU can send each receiver what its tile needs. */
const CAMERA_ENCODINGS: RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];
/** Screen: one sharp layer at a low frame rate. */
const SCREEN_ENCODINGS: RtpEncodingParameters[] = [{ maxBitrate: 1_500_000, maxFramerate: 15 }];

/**
 * Waits before each new try to resume a consumer the server did not resume (busy, or its request
 * budget spent): the SFU creates consumers paused, so a resume that is given up on leaves a tile
 * that never plays. Over ~3 s, the time the socket's rate budget takes to refill.
 */
const RESUME_RETRY_DELAYS_MS = [300, 1000, 2000];
/**
 * Receiving a producer that failed for a passing reason (its consume or its resume refused by a
 * busy server) starts over after these waits, so the person's video comes back by itself; a
 * producer that is gone answers with a lasting code, which ends it.
 */
const RECONSUME_DELAYS_MS = [2000, 5000, 10_000];
const TRANSIENT_CODES = new Set(['TIMEOUT', 'CONFER_RATE_LIMITED']);
const isTransient = (error: unknown) => error instanceof SignalingError && TRANSIENT_CODES.has(error.code);

interface ConsumerEntry {
  consumer: Consumer;
  participantId: string;
  source: Source;
}

/**
 * This person's media through the SFU with mediasoup-client: one send and one receive transport,
 * a producer per source (microphone, camera, screen), a consumer per remote producer.
 * `restart()` tears everything down and negotiates again (the SFU lost its state, or the
 * connection was re-established).
 */
export class MediaSession {
  private device: Device | null = null;
  private send: Transport | null = null;
  private recv: Transport | null = null;
  private readonly producers = new Map<Source, Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers announced before the receive transport existed. */
  private pending: NewProducerView[] = [];
  /** Producers consumed (or being consumed) in this negotiation: an announcement is acted on once. */
  private readonly consuming = new Set<string>();
  /** Producers whose receiving failed for a passing reason, and how many times it started over. */
  private readonly reconsumed = new Map<string, number>();
  /** Bumped by every teardown, so that work of an earlier negotiation stops where it is. */
  private generation = 0;
  private ready = false;
  private closed = false;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly iceServers: RTCIceServer[],
    private readonly callbacks: MediaSessionCallbacks,
  ) {}

  /**
   * Negotiates and publishes the given tracks. Tracks of sources that are off are produced
   * paused (the microphone) or not at all (camera: its light goes off; a producer comes later).
   */
  async start(local: {
    microphone: MediaStreamTrack | null;
    camera: MediaStreamTrack | null;
    audioOn: boolean;
    videoOn: boolean;
    screen: MediaStreamTrack | null;
  }): Promise<void> {
    const generation = ++this.generation;
    this.callbacks.onStatus('connecting', null);
    try {
      const { rtpCapabilities } = await this.signaling.request('media:router-capabilities', {});
      // Loaded on first use: the home and pre-join pages do not need it.
      const { Device } = await import('mediasoup-client');
      const device = await Device.factory();
      await device.load({ routerRtpCapabilities: rtpCapabilities });
      if (this.stale(generation)) return;
      this.device = device;
      await this.signaling.request('media:set-rtp-capabilities', {
        rtpCapabilities: device.recvRtpCapabilities,
      });
      const [recvAnswer, sendAnswer] = await Promise.all([
        this.signaling.request('media:create-transport', { direction: 'recv' }),
        this.signaling.request('media:create-transport', { direction: 'send' }),
      ]);
      if (this.stale(generation)) return;
      this.recv = device.createRecvTransport(this.transportOptions(recvAnswer));
      this.send = device.createSendTransport(this.transportOptions(sendAnswer));
      this.wireTransport(this.recv, generation);
      this.wireTransport(this.send, generation);
      this.wireProduce(this.send);
      this.ready = true;
      const pending = this.pending;
      this.pending = [];
      for (const p of pending) void this.consume(p, generation);

      if (local.microphone && device.canProduce('audio'))
        await this.produce('microphone', local.microphone, !local.audioOn);
      if (local.camera && local.videoOn && device.canProduce('video'))
        await this.produce('camera', local.camera, false);
      if (local.screen && device.canProduce('video')) await this.produce('screen', local.screen, false);
      if (this.stale(generation)) return;
      this.callbacks.onStatus('ready', null);
    } catch (error) {
      if (this.stale(generation)) return;
      if (error instanceof SignalingError && error.code === 'CONFER_MEDIA_UNAVAILABLE') {
        this.callbacks.onStatus('unavailable', 'Audio and video are not available on this server right now.');
      } else {
        console.error('media negotiation failed', error);
        this.callbacks.onStatus('failed', 'Audio and video could not connect.');
      }
    }
  }

  /** Drops everything of the current negotiation (remote tiles lose their video). */
  teardown(): void {
    this.generation++;
    this.ready = false;
    this.pending = [];
    this.consuming.clear();
    this.reconsumed.clear();
    for (const { participantId, source } of this.consumers.values())
      this.callbacks.onRemoteTrack(participantId, source, undefined);
    this.consumers.clear();
    this.producers.clear();
    this.send?.close();
    this.recv?.close();
    this.send = null;
    this.recv = null;
  }

  close(): void {
    this.closed = true;
    this.teardown();
  }

  // ── Publishing ──────────────────────────────────────────────────────────────

  async setMicrophone(on: boolean, track: MediaStreamTrack | null): Promise<void> {
    const producer = this.producers.get('microphone');
    if (producer) return this.setPaused(producer, !on);
    if (on && track && this.ready) await this.produce('microphone', track, false);
  }

  /** Camera on with a new track (the old one was stopped to turn the light off), or off. */
  async setCamera(track: MediaStreamTrack | null): Promise<void> {
    const producer = this.producers.get('camera');
    if (!track) {
      if (producer) this.setPaused(producer, true);
      return;
    }
    if (producer) {
      await producer.replaceTrack({ track });
      this.setPaused(producer, false);
    } else if (this.ready) {
      await this.produce('camera', track, false);
    }
  }

  /**
   * Another device, or the same one through an effect: the producer sends the new track at once,
   * paused or not as before, with no renegotiation (the others keep receiving the same producer).
   */
  async replaceTrack(source: 'microphone' | 'camera', track: MediaStreamTrack): Promise<void> {
    await this.producers.get(source)?.replaceTrack({ track });
  }

  async startScreen(track: MediaStreamTrack): Promise<void> {
    track.addEventListener('ended', () => this.callbacks.onScreenEnded(), { once: true });
    if (this.ready) await this.produce('screen', track, false);
  }

  async stopScreen(): Promise<void> {
    const producer = this.producers.get('screen');
    if (!producer) return;
    this.producers.delete('screen');
    producer.close();
    await this.signaling.request('media:close-producer', { producerId: producer.id }).catch(() => undefined);
  }

  private async produce(source: Source, track: MediaStreamTrack, paused: boolean): Promise<void> {
    const send = this.send;
    if (!send) return;
    const producer = await send.produce({
      track,
      stopTracks: false,
      appData: { source, paused },
      ...(source === 'camera'
        ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } }
        : source === 'screen'
          ? { encodings: SCREEN_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 1000 } }
          : { codecOptions: { opusDtx: true, opusFec: true } }),
    });
    if (paused) producer.pause();
    this.producers.set(source, producer);
  }

  /**
   * Local pause/resume only: the meeting-level `mute`/`unmute` is the record, and the SFU pauses
   * or resumes the producer itself when that event is committed (so a host's mute really silences).
   */
  private setPaused(producer: Producer, paused: boolean): void {
    if (paused) producer.pause();
    else producer.resume();
  }

  // ── Receiving ───────────────────────────────────────────────────────────────

  onNewProducer(view: NewProducerView): void {
    if (this.consuming.has(view.producerId)) return;
    this.consuming.add(view.producerId);
    if (!this.ready) {
      this.pending.push(view);
      return;
    }
    void this.consume(view, this.generation);
  }

  onConsumerClosed(consumerId: string): void {
    this.dropConsumer(consumerId);
  }

  onProducerClosed(producerId: string): void {
    for (const [id, entry] of this.consumers)
      if (entry.consumer.producerId === producerId) this.dropConsumer(id);
  }

  onProducerPaused(producerId: string, paused: boolean): void {
    for (const entry of this.consumers.values()) {
      if (entry.consumer.producerId !== producerId) continue;
      this.callbacks.onRemotePaused(entry.participantId, entry.source, paused);
    }
  }

  private async consume(view: NewProducerView, generation: number): Promise<void> {
    const recv = this.recv;
    if (!recv || this.stale(generation)) return;
    let consumerId: string | undefined;
    try {
      const answer = await this.signaling.request('media:consume', { producerId: view.producerId });
      if (this.stale(generation)) return;
      const consumer = await recv.consume({
        id: answer.consumerId,
        producerId: answer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters,
        // Audio and camera of one person share a stream id: the browser keeps them in sync.
        streamId: `${answer.participantId}-${answer.source === 'screen' ? 'screen' : 'av'}`,
        appData: { participantId: answer.participantId, source: answer.source },
      });
      if (this.stale(generation)) {
        consumer.close();
        return;
      }
      consumerId = consumer.id;
      this.consumers.set(consumer.id, {
        consumer,
        participantId: answer.participantId,
        source: answer.source,
      });
      consumer.on('transportclose', () => this.consumers.delete(consumer.id));
      this.callbacks.onRemoteTrack(answer.participantId, answer.source, {
        consumerId: consumer.id,
        producerId: answer.producerId,
        track: consumer.track,
        paused: answer.producerPaused,
      });
      // The SFU creates consumers paused, so that no keyframe is lost before the track is wired.
      await this.resume(consumer.id, generation);
      this.reconsumed.delete(view.producerId);
    } catch (error) {
      if (this.stale(generation)) return;
      // A tile whose consumer stays paused would never play: take it away rather than show it.
      if (consumerId) this.dropConsumer(consumerId);
      this.consuming.delete(view.producerId);
      console.warn('could not receive a producer', view, error);
      if (isTransient(error)) this.reconsumeLater(view, generation);
    }
  }

  /** Starts receiving `view` over after a wait, a few times at most (see RECONSUME_DELAYS_MS). */
  private reconsumeLater(view: NewProducerView, generation: number): void {
    const tries = this.reconsumed.get(view.producerId) ?? 0;
    const delay = RECONSUME_DELAYS_MS[tries];
    if (delay === undefined) return;
    this.reconsumed.set(view.producerId, tries + 1);
    setTimeout(() => {
      if (!this.stale(generation)) this.onNewProducer(view);
    }, delay);
  }

  /** media:resume-consumer, tried again after a refusal that passes (a busy server, a spent budget). */
  private async resume(consumerId: string, generation: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.signaling.request('media:resume-consumer', { consumerId });
        return;
      } catch (error) {
        const delay = RESUME_RETRY_DELAYS_MS[attempt];
        if (
          !isTransient(error) ||
          delay === undefined ||
          this.stale(generation) ||
          !this.consumers.has(consumerId)
        )
          throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private dropConsumer(consumerId: string): void {
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    this.consumers.delete(consumerId);
    this.consuming.delete(entry.consumer.producerId);
    entry.consumer.close();
    this.callbacks.onRemoteTrack(entry.participantId, entry.source, undefined);
  }

  /** Every stat of both transports (candidate pairs, RTP streams): the quality reporter reads them. */
  async transportStats(): Promise<Array<{ type: string } & Record<string, unknown>>> {
    const out: Array<{ type: string } & Record<string, unknown>> = [];
    for (const transport of [this.send, this.recv]) {
      const report = await transport?.getStats().catch(() => undefined);
      report?.forEach((stat: { type: string } & Record<string, unknown>) => out.push(stat));
    }
    return out;
  }

  /** Numbers from the receiving side, per consumer (the test hooks read them). */
  async inboundStats(): Promise<InboundStat[]> {
    const out: InboundStat[] = [];
    for (const [consumerId, entry] of this.consumers) {
      const report = await entry.consumer.getStats().catch(() => undefined);
      report?.forEach((stat: { type: string } & Record<string, unknown>) => {
        if (stat.type !== 'inbound-rtp') return;
        out.push({
          kind: entry.consumer.kind,
          participantId: entry.participantId,
          source: entry.source,
          consumerId,
          ...(typeof stat['framesDecoded'] === 'number' ? { framesDecoded: stat['framesDecoded'] } : {}),
          ...(typeof stat['frameWidth'] === 'number' ? { frameWidth: stat['frameWidth'] } : {}),
          bytesReceived: Number(stat['bytesReceived'] ?? 0),
          packetsReceived: Number(stat['packetsReceived'] ?? 0),
        });
      });
    }
    return out;
  }

  // ── Transports ──────────────────────────────────────────────────────────────

  private transportOptions(answer: TransportAnswer) {
    return {
      id: answer.id,
      iceParameters: answer.iceParameters,
      iceCandidates: answer.iceCandidates,
      dtlsParameters: answer.dtlsParameters,
      ...(answer.sctpParameters ? { sctpParameters: answer.sctpParameters } : {}),
      iceServers: answer.iceServers ?? this.iceServers,
    };
  }

  private wireTransport(transport: Transport, generation: number): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('media:connect-transport', {
          transportId: transport.id,
          dtlsParameters,
        })
        .then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => {
      if (this.stale(generation)) return;
      if (state === 'failed') void this.restartIce(transport, generation);
      if (state === 'connected') this.callbacks.onStatus('ready', null);
    });
  }

  private wireProduce(transport: Transport): void {
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = appData['source'] as Source;
      this.signaling
        .request('media:produce', {
          transportId: transport.id,
          kind,
          rtpParameters,
          source,
          ...(appData['paused'] === true ? { paused: true } : {}),
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }

  /** ICE failed (network change, NAT timeout): new ICE credentials, same transport. */
  private async restartIce(transport: Transport, generation: number): Promise<void> {
    this.callbacks.onStatus('connecting', 'Reconnecting audio and video…');
    try {
      const { iceParameters } = await this.signaling.request('media:restart-ice', {
        transportId: transport.id,
      });
      if (!this.stale(generation)) await transport.restartIce({ iceParameters });
    } catch (error) {
      if (!this.stale(generation)) {
        console.warn('ICE restart failed', error);
        this.callbacks.onStatus('failed', 'Audio and video lost their connection.');
      }
    }
  }

  private stale(generation: number): boolean {
    return this.closed || generation !== this.generation;
  }
}
