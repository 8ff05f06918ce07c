import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { segmentKey, syncKey } from '../../domain/meeting/recording.keys';
import type { ObjectStore } from '../../domain/ports/object-store';
import type { TrackSyncFile } from '../../domain/meeting/recording.sync';
import { ArrivalEnvelope } from './arrival-envelope';
import { recorderSdp, type RecorderCodec } from './recorder-sdp';
import { listenForSenderReports, type SenderReportSample } from './rtcp-sender-reports';
import { freeRtpPortPair, waitUntilBound } from './udp-ports';

export interface TrackInfo {
  meetingId: string;
  recordingId: string;
  trackId: string;
  participantId: string;
  source: 'microphone' | 'camera' | 'screen';
  kind: 'audio' | 'video';
}

export interface StoredSegment {
  sequence: number;
  key: string;
  sizeBytes: number;
}

export interface TrackRecorderDeps {
  router: types.Router;
  producerId: string;
  objects: ObjectStore;
  ffmpegPath: string;
  workDir: string;
  logger: Logger;
  /** Wall-clock ms minus worker ms, measured once for the session (shared by its tracks). */
  workerToWallMs(workerMs: number): number;
  /** A segment is in the object store: record it (StoreRecordingSegment). */
  onSegmentStored(track: TrackInfo, segment: StoredSegment): Promise<void>;
  /** ffmpeg died or the store stayed unreachable: this track's capture is over. */
  onFailure(track: TrackInfo, reason: string): void;
  segmentSeconds?: number;
  uploadAttempts?: number;
}

/**
 * Records one producer: a paused consumer on a PlainTransport sends RTP to a `-c copy` ffmpeg
 * writing short mkv segments (absolute timestamps), and RTCP to our own socket, which keeps the
 * consumer's sender reports (an older timing file's fallback). Its traces give every packet's
 * forwarding time and the sender's own sender reports, which place the track (align.ts). The
 * consumer is resumed (which asks for a key frame) only once ffmpeg listens. Each segment is uploaded as soon as ffmpeg closes it, then reported; the
 * track's timing file is rewritten beside the segments each time (recording-sync.md, "B-rtcp-fit").
 */
export class TrackRecorder {
  private transport?: types.PlainTransport;
  private consumer?: types.Consumer;
  private command?: ffmpeg.FfmpegCommand;
  private reports?: { port: number; close(): void };
  private readonly senderReports: SenderReportSample[] = [];
  /** The sender's own SRs on the forwarded timeline (the worker's "sr" trace). */
  private readonly senderClock: { ntpMs: number; rtpTs: number }[] = [];
  private first?: { rtpTs: number; workerMs: number; workerToWallMs: number };
  private clockRate = 0;
  private envelope?: ArrivalEnvelope;
  /** Packets forwarded to ffmpeg (for the log of a track that stored nothing). */
  private packets = 0;
  private uploaded = new Set<string>();
  private uploads: Promise<void> = Promise.resolve();
  private poller?: NodeJS.Timeout;
  private keyFrames?: NodeJS.Timeout;
  private stopping = false;
  private exited?: Promise<void>;
  /** ffmpeg's last words, for the failure's reason. */
  private stderr: string[] = [];

  constructor(
    readonly track: TrackInfo,
    private readonly deps: TrackRecorderDeps,
  ) {}

  private get dir(): string {
    return join(this.deps.workDir, this.track.trackId);
  }

  async start(): Promise<void> {
    const { router } = this.deps;
    await mkdir(this.dir, { recursive: true });
    const port = await freeRtpPortPair();
    this.reports = await listenForSenderReports((sr) => {
      if (this.senderReports.length < 100_000) this.senderReports.push(sr);
    });
    this.transport = await router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: false,
      comedia: false,
    });
    await this.transport.connect({ ip: '127.0.0.1', port, rtcpPort: this.reports.port });
    // No RTX and no header extensions: ffmpeg wants the plain stream (pitfall 9).
    const rtpCapabilities: types.RtpCapabilities = {
      codecs: (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() !== 'video/rtx'),
      headerExtensions: [],
    };
    this.consumer = await this.transport.consume({
      producerId: this.deps.producerId,
      rtpCapabilities,
      paused: true,
    });
    const codec = this.consumer.rtpParameters.codecs[0]!;
    this.clockRate = codec.clockRate;
    this.envelope = new ArrivalEnvelope(codec.clockRate, this.track.kind);
    // Every forwarded packet's RTP ts and forwarding time, for the whole recording: the first
    // gives pts 0, all of them the earliest arrivals that place the track (arrival-envelope.ts).
    // "sr" is our worker's trace of the sender's own sender reports (not in mediasoup's types).
    await this.consumer.enableTraceEvent(['rtp', 'sr' as types.ConsumerTraceEventType]);
    this.consumer.on('trace', (trace) => {
      if ((trace.type as string) === 'sr') return this.senderClockReport(trace.info);
      if (trace.type !== 'rtp') return;
      const info = trace.info as { timestamp?: number };
      if (typeof info.timestamp !== 'number') return;
      this.packets++;
      this.envelope?.add(info.timestamp, trace.timestamp);
      if (this.first) return;
      this.first = {
        rtpTs: info.timestamp,
        workerMs: trace.timestamp,
        workerToWallMs: this.deps.workerToWallMs(trace.timestamp),
      };
    });
    const recorderCodec: RecorderCodec = {
      kind: this.track.kind,
      mimeType: codec.mimeType,
      payloadType: codec.payloadType,
      clockRate: codec.clockRate,
      ...(codec.channels ? { channels: codec.channels } : {}),
      ...(codec.parameters ? { parameters: codec.parameters as Record<string, unknown> } : {}),
    };
    const sdpPath = join(this.dir, 'input.sdp');
    await writeFile(sdpPath, recorderSdp(recorderCodec, port));
    this.spawnFfmpeg(sdpPath);
    if (!(await waitUntilBound(port, 15_000))) throw new Error('ffmpeg did not start listening within 15 s');
    // Resuming asks the sender for a key frame; video before it would be undecodable.
    await this.consumer.resume();
    if (this.track.kind === 'video') await this.consumer.requestKeyFrame().catch(() => undefined);
    this.poller = setInterval(() => this.collect(), 500);
    // ffmpeg's segment muxer cuts video only at key frames, and a browser sends one only when
    // asked (a recorder never asks): without this, a camera is one segment, stored at the stop
    // or never. One per segment also makes every stored segment decodable on its own.
    if (this.track.kind === 'video')
      this.keyFrames = setInterval(
        () => void this.consumer?.requestKeyFrame().catch(() => undefined),
        (this.deps.segmentSeconds ?? 4) * 1000,
      );
  }

  private spawnFfmpeg(sdpPath: string): void {
    const seconds = this.deps.segmentSeconds ?? 4;
    let settle!: () => void;
    this.exited = new Promise<void>((resolve) => (settle = resolve));
    const command = ffmpeg(sdpPath)
      .setFfmpegPath(this.deps.ffmpegPath)
      .inputOptions(['-protocol_whitelist', 'file,udp,rtp', '-buffer_size', '1048576'])
      .outputOptions([
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'segment',
        '-segment_time',
        String(seconds),
        '-segment_format',
        'matroska',
        '-reset_timestamps',
        '0',
        '-segment_list',
        join(this.dir, 'segments.csv'),
        '-segment_list_type',
        'csv',
      ])
      .output(join(this.dir, 'seg_%05d.mkv'))
      .on('stderr', (line: string) => {
        this.stderr = [...this.stderr.slice(-20), line];
      })
      .on('error', (error: Error) => {
        settle();
        if (this.stopping) return;
        const said = this.stderr.slice(-3).join(' | ');
        this.deps.logger.error(
          { err: error, trackId: this.track.trackId, ffmpeg: this.stderr },
          'recorder ffmpeg died',
        );
        this.collect(true);
        this.deps.onFailure(
          this.track,
          `ffmpeg died while recording ${this.track.kind} of ${this.track.participantId}: ${error.message}${said ? ` (${said})` : ''}`,
        );
      })
      .on('end', () => settle());
    command.run();
    this.command = command;
  }

  /**
   * Uploads the segments ffmpeg has closed since the last look, in order. Once ffmpeg has exited,
   * also what it wrote but could not list (killed while closing the last one): the pipeline
   * probes every segment and leaves out one it cannot read.
   */
  private collect(afterExit = false): void {
    this.uploads = this.uploads
      .then(async () => {
        const list = join(this.dir, 'segments.csv');
        const listed = existsSync(list)
          ? (await readFile(list, 'utf8')).split('\n').map((line) => line.split(',')[0]?.trim() ?? '')
          : [];
        const written = afterExit ? (await readdir(this.dir)).sort() : [];
        const names = [...new Set([...listed, ...written])]
          .filter((name) => /^seg_\d{5}\.mkv$/.test(name))
          .sort();
        for (const name of names) {
          if (this.uploaded.has(name)) continue;
          await this.upload(name);
          this.uploaded.add(name);
        }
      })
      .catch((error: unknown) => {
        this.deps.logger.error(
          { err: error, trackId: this.track.trackId },
          'a recorded segment could not be stored',
        );
        this.deps.onFailure(
          this.track,
          `a segment could not be stored: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  }

  private async upload(name: string): Promise<void> {
    const sequence = Number(name.slice(4, 9));
    const path = join(this.dir, name);
    const key = segmentKey(this.track.meetingId, this.track.recordingId, this.track.trackId, sequence);
    const attempts = this.deps.uploadAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const info = await this.deps.objects.put(key, await readFile(path), {
          contentType: 'video/x-matroska',
        });
        await this.deps.objects.put(
          syncKey(this.track.meetingId, this.track.recordingId, this.track.trackId),
          Buffer.from(JSON.stringify(this.syncFile())),
          { contentType: 'application/json' },
        );
        await this.deps.onSegmentStored(this.track, { sequence, key, sizeBytes: info.sizeBytes });
        // In the store and on record: the local copy has done its job.
        await rm(path, { force: true });
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        this.deps.logger.warn({ err: error, attempt, key }, 'storing a segment failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(8000, 250 * 2 ** attempt)));
      }
    }
  }

  private senderClockReport(info: unknown): void {
    const { ntpMs, rtpTimestamp } = (info ?? {}) as { ntpMs?: unknown; rtpTimestamp?: unknown };
    if (typeof ntpMs !== 'number' || typeof rtpTimestamp !== 'number' || ntpMs <= 0) return;
    if (this.senderClock.length < 100_000) this.senderClock.push({ ntpMs, rtpTs: rtpTimestamp });
  }

  private syncFile(): TrackSyncFile {
    const ssrc = this.consumer?.rtpParameters.encodings?.[0]?.ssrc;
    const frameMs = this.envelope?.frameMs();
    return {
      clockRate: this.clockRate,
      firstRtpTs: this.first?.rtpTs ?? 0,
      firstPacketWorkerMs: this.first?.workerMs ?? 0,
      workerToWallMs: this.first?.workerToWallMs ?? 0,
      senderReports: this.senderReports
        .filter((sr) => ssrc === undefined || sr.ssrc === ssrc)
        .map(({ ntpMs, rtpTs }) => ({ ntpMs, rtpTs })),
      earliestArrivals: this.envelope?.points() ?? [],
      ...(frameMs ? { frameMs } : {}),
      ...(this.senderClock.length > 0 ? { senderClock: [...this.senderClock] } : {}),
    };
  }

  /** Segments stored and recorded so far (all of them, once stop() has resolved). */
  get storedSegments(): number {
    return this.uploaded.size;
  }

  /** Stops capture; the last segment is closed by ffmpeg, stored and reported before this resolves. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    if (this.keyFrames) clearInterval(this.keyFrames);
    this.consumer?.close();
    // SIGINT: ffmpeg closes the open segment properly and lists it.
    this.command?.kill('SIGINT');
    await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    this.command?.kill('SIGKILL');
    this.collect(true);
    await this.uploads;
    this.transport?.close();
    this.reports?.close();
    if (this.uploaded.size === 0)
      this.deps.logger.warn(
        { trackId: this.track.trackId, kind: this.track.kind, packets: this.packets, ffmpeg: this.stderr },
        'a track recorder stopped without storing a segment',
      );
  }
}
