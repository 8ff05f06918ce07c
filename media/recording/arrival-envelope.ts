import { rtpDelta } from '../../domain/meeting/recording.sync';

/**
 * The earliest arrivals of a recorded track: for each window of media time, the packet that came
 * closest to the instant its media was captured. Pure.
 *
 * Why not the consumer's RTCP sender reports alone: mediasoup 3.12 writes a consumer's SR from the
 * time it forwarded the stream's newest packet (`RtpStreamSend::GetRtcpSenderReport`: NTP = now,
 * RTP = newest ts + time since), never from the sender's own SRs, so a line through them places a
 * track by its *average* sender delay: capture → encode → pacer → network. Audio has little of
 * that; video has the encoder, which on a loaded machine adds a delay that varies from run to run
 * (−151..+192 ms measured here). No packet can leave before its media was captured, and on a busy
 * machine some still leave promptly: the lower envelope of (arrival − media time) is the sender's
 * capture clock plus its smallest delay, which is near zero and about the same for audio and
 * video, whatever the load.
 *
 * An audio packet holds a frame of samples and can leave only once its last sample is captured,
 * so its media time is taken at the frame's end (RTP ts + the frame's length); a video frame is
 * captured at one instant (its RTP ts).
 */
export interface ArrivalPoint {
  /** Media time (ms since the track's pts 0) of the instant the packet's content was complete. */
  mediaMs: number;
  /** SFU worker time (ms) the packet was forwarded at. */
  workerMs: number;
}

/** Enough for a day of 1 s windows; a longer track keeps its first day (the fit needs no more). */
const MAX_WINDOWS = 86_400;

export class ArrivalEnvelope {
  private firstTs?: number;
  private lastTs?: number;
  /** Length of an audio frame in ticks, from consecutive packets (Opus: 20 ms). */
  private frameTicks = 0;
  private readonly closed: ArrivalPoint[] = [];
  private open?: { window: number; point: ArrivalPoint };

  constructor(
    private readonly clockRate: number,
    private readonly kind: 'audio' | 'video',
    private readonly windowMs = 1000,
  ) {}

  /** A packet forwarded to the recorder: its RTP timestamp, and the worker's time in ms. */
  add(rtpTs: number, workerMs: number): void {
    if (!Number.isFinite(rtpTs) || !Number.isFinite(workerMs)) return;
    if (this.firstTs === undefined) this.firstTs = rtpTs;
    const step = this.lastTs === undefined ? 0 : rtpDelta(rtpTs, this.lastTs);
    if (this.lastTs === undefined || step > 0) this.lastTs = rtpTs;
    if (this.kind === 'audio') {
      // A plausible frame (2.5–120 ms): DTX gaps and reordering are not frame lengths.
      if (step >= this.clockRate / 400 && step <= (this.clockRate * 120) / 1000) this.frameTicks = step;
      // The first packet's frame length is not known yet: it waits for the next one.
      if (this.frameTicks === 0) return;
    }
    const ticks = rtpDelta(rtpTs, this.firstTs) + (this.kind === 'audio' ? this.frameTicks : 0);
    const mediaMs = (ticks / this.clockRate) * 1000;
    const window = Math.floor(mediaMs / this.windowMs);
    const point = { mediaMs, workerMs };
    if (this.open && this.open.window !== window) {
      if (this.closed.length < MAX_WINDOWS) this.closed.push(this.open.point);
      this.open = undefined;
    }
    if (!this.open) this.open = { window, point };
    else if (workerMs - mediaMs < this.open.point.workerMs - this.open.point.mediaMs) this.open.point = point;
  }

  /** An audio track's frame length in ms, once two packets have shown it (Opus: 20). */
  frameMs(): number | undefined {
    return this.kind === 'audio' && this.frameTicks > 0
      ? (this.frameTicks / this.clockRate) * 1000
      : undefined;
  }

  /** The earliest arrival of every window so far (the open one included). */
  points(): ArrivalPoint[] {
    return this.open ? [...this.closed, this.open.point] : [...this.closed];
  }
}
