/**
 * Aligning tracks recorded by separate ffmpeg processes: where each track's pts 0 lies on the SFU
 * worker's clock (shared by every track of a host), and how fast the sender's media clock runs
 * against it. Pure.
 *
 * Best is the sender's own clock (alignTracks): a participant's tracks placed against each other by
 * the sender reports their browser stamped from the clock it captured with, which is how WebRTC
 * receivers lip-sync, so that an encoder falling behind on a loaded machine moves nothing.
 *
 * Without them, the anchor is the track's earliest arrivals (media/recording/arrival-envelope.ts explains why):
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
  method: 'sender-clock' | 'earliest-arrival' | 'rtcp-fit' | 'first-packet';
  /**
   * sender-clock only: how much earlier the sender's clock places the track than its own fastest
   * packet did (ms, ≥ 0): its encoder's delay beyond the participant's fastest track.
   */
  leadMs?: number;
}

/**
 * More than this between where a participant's sender reports and its packets place a track, and
 * the reports are not believed: a sender's clock refines a placement by an encoder's delay, never
 * by seconds (a wrong mapping would move a whole participant over a gap in the recording).
 */
const MAX_LEAD_MS = 1000;

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
  // Loops, not Math.max(...xs): a day of 1 s windows is too many call arguments.
  const lo = points.reduce((m, p) => Math.min(m, p.x), Infinity);
  const hi = points.reduce((m, p) => Math.max(m, p.x), -Infinity);
  if (hi - lo < MIN_RATE_SPAN_MS) return 1;
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
    const zero = points.reduce((m, p) => Math.min(m, p.y - rate * p.x), Infinity);
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

export interface TrackToAlign {
  trackId: string;
  participantId: string;
  sync: TrackSync;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * Sender-clock ms at which the track's pts 0 was captured, from its sender reports (their median,
 * robust to a stray one). libwebrtc stamps a video frame with its capture time, but an audio
 * frame with the time it was encoded, once its last sample came in: its first sample was
 * captured a frame earlier (measured: audio read 23–47 ms late against the sender without this).
 */
function senderZeroMs(sync: TrackSync): number | undefined {
  const reports = sync.senderClock ?? [];
  if (reports.length === 0) return undefined;
  const zero = median(
    reports.map((r) => r.ntpMs - (rtpDelta(r.rtpTs, sync.firstRtpTs) / sync.clockRate) * 1000),
  );
  return zero - (sync.frameMs ?? 0);
}

/**
 * Every track's alignment; a participant's tracks that carry the sender's clock (two or more) are
 * placed together by it. Their phase is the sender's: pts 0 of each at its sender-report time.
 * Where the sender's clock sits on the SFU's is the one thing left to the arrivals: the smallest
 * (arrival − capture) over all of that participant's tracks, shared by them, so the fastest track
 * (audio, as a rule) sets it and a slow encoder cannot move one track against the other.
 */
export function alignTracks(tracks: readonly TrackToAlign[]): Map<string, TrackAlignment> {
  const out = new Map(tracks.map((t) => [t.trackId, alignTrack(t.sync)] as const));
  const byParticipant = new Map<string, TrackToAlign[]>();
  for (const t of tracks)
    byParticipant.set(t.participantId, [...(byParticipant.get(t.participantId) ?? []), t]);
  for (const group of byParticipant.values()) {
    const clocked = group.flatMap((t) => {
      const zero = senderZeroMs(t.sync);
      const arrivals = t.sync.earliestArrivals ?? [];
      return zero === undefined || arrivals.length === 0 ? [] : [{ t, zero, arrivals }];
    });
    if (clocked.length < 2) continue;
    // Relative to the earliest zero, so that NTP's 10^12 ms do not eat the precision.
    const reference = clocked.reduce((m, c) => Math.min(m, c.zero), Infinity);
    const rate = clocked.reduce((s, c) => s + out.get(c.t.trackId)!.rate, 0) / clocked.length;
    // Sender ms (from the reference) → wall ms: wall = offset + rate · sender. No packet arrives
    // before it was captured, so the offset is the least (arrival − rate · capture).
    let offset = Infinity;
    for (const c of clocked)
      for (const p of c.arrivals)
        offset = Math.min(
          offset,
          p.workerMs + c.t.sync.workerToWallMs - rate * (c.zero - reference + p.mediaMs),
        );
    const placed = clocked.map((c) => {
      const zeroWallMs = offset + rate * (c.zero - reference);
      return { c, zeroWallMs, leadMs: out.get(c.t.trackId)!.zeroWallMs - zeroWallMs };
    });
    // The arrivals' placement of each track is kept when the reports disagree with it by seconds.
    if (placed.some((p) => p.leadMs > MAX_LEAD_MS)) continue;
    for (const p of placed)
      out.set(p.c.t.trackId, {
        zeroWallMs: p.zeroWallMs,
        rate,
        method: 'sender-clock',
        leadMs: Math.round(p.leadMs),
      });
  }
  return out;
}
