/**
 * Aligning tracks recorded by separate ffmpeg processes: where each track's pts 0 lies on the SFU
 * worker's clock (shared by every track of a host), and how fast the sender's media clock runs
 * against it. Pure.
 *
 * The anchor is the track's earliest arrivals (media/recording/arrival-envelope.ts explains why):
 * pts 0 sits where the lower envelope of (forwarding time − media time) puts it. The consumer's
 * RTCP sender reports are only a fallback for timing files written before the envelope existed:
 * mediasoup writes them from forwarding times, so a line through them places a track by its
 * sender's average delay, which for video follows the encoder's load.
 */
import { rtpDelta, type TrackSyncFile } from '../../domain/meeting/recording.sync';

export { rtpDelta };
export type TrackSync = TrackSyncFile;
export type SenderReport = TrackSyncFile['senderReports'][number];

export interface TrackAlignment {
  /** Wall-clock ms at the track's pts 0. */
  zeroWallMs: number;
  /** Real seconds per media second (1 = the sender's clock keeps time). */
  rate: number;
  /** How the alignment was found. */
  method: 'earliest-arrival' | 'rtcp-fit' | 'first-packet';
}

/** The slope from under a minute is noise (37–127 ppm off from 60 s, recording-sync.md): trust it only beyond. */
const MIN_RATE_SPAN_MS = 60_000;
const bound = (rate: number) => Math.min(1.01, Math.max(0.99, rate));

interface Point {
  x: number;
  y: number;
}

/** Least-squares slope of y over x, or 1 when the points span under a minute. */
function fittedRate(points: readonly Point[]): number {
  if (points.length < 2) return 1;
  const xs = points.map((p) => p.x);
  if (Math.max(...xs) - Math.min(...xs) < MIN_RATE_SPAN_MS) return 1;
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  return sxx > 0 ? bound(sxy / sxx) : 1;
}

export function alignTrack(sync: TrackSync): TrackAlignment {
  const earliest = sync.earliestArrivals ?? [];
  if (earliest.length > 0) {
    const points = earliest.map((p) => ({ x: p.mediaMs, y: p.workerMs }));
    // The rate from every window's earliest packet (they follow the sender's clock, not its
    // load); then the line of that slope under all of them: the smallest delay seen.
    const rate = fittedRate(points);
    const zero = Math.min(...points.map((p) => p.y - rate * p.x));
    return { zeroWallMs: zero + sync.workerToWallMs, rate, method: 'earliest-arrival' };
  }
  const points = sync.senderReports.map((sr) => ({
    x: (rtpDelta(sr.rtpTs, sync.firstRtpTs) / sync.clockRate) * 1000,
    y: sr.ntpMs,
  }));
  if (points.length === 0)
    return { zeroWallMs: sync.firstPacketWorkerMs + sync.workerToWallMs, rate: 1, method: 'first-packet' };
  const rate = fittedRate(points);
  const mx = points.reduce((s, p) => s + p.x, 0) / points.length;
  const my = points.reduce((s, p) => s + p.y, 0) / points.length;
  return { zeroWallMs: my - rate * mx + sync.workerToWallMs, rate, method: 'rtcp-fit' };
}
