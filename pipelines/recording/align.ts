/**
 * Aligning tracks recorded by separate ffmpeg processes (recording-sync.md, "B-rtcp-fit"): each
 * consumer's RTCP sender reports map its RTP clock to the SFU worker's clock; a line fitted through
 * all of them gives where the track's pts 0 lies on that shared clock, and how fast the sender's
 * media clock runs against it. Pure.
 */
export interface SenderReport {
  /** The SR's NTP time, in ms (the mediasoup worker's clock). */
  ntpMs: number;
  /** The SR's RTP timestamp. */
  rtpTs: number;
}

export interface TrackSync {
  clockRate: number;
  /** RTP timestamp of the first forwarded packet: pts 0 in the recorded file. */
  firstRtpTs: number;
  /** Worker time (ms) when the first packet was forwarded (fallback without SRs). */
  firstPacketWorkerMs: number;
  /** Wall-clock ms minus worker ms, measured once per recorder session (so equal for its tracks). */
  workerToWallMs: number;
  senderReports: SenderReport[];
}

export interface TrackAlignment {
  /** Wall-clock ms at the track's pts 0. */
  zeroWallMs: number;
  /** Real seconds per media second (1 = the sender's clock keeps time). */
  rate: number;
  /** How the alignment was found. */
  method: 'rtcp-fit' | 'first-packet';
}

const RTP_WRAP = 2 ** 32;
const MIN_RATE_SPAN_MS = 60_000;

/** RTP timestamp distance from `from` to `ts`, unwrapped around 2^32 (assumes < 2^31 apart). */
export function rtpDelta(ts: number, from: number): number {
  let d = (ts - from) % RTP_WRAP;
  if (d > RTP_WRAP / 2) d -= RTP_WRAP;
  if (d < -RTP_WRAP / 2) d += RTP_WRAP;
  return d;
}

/** Least squares through (media ms since pts 0, worker ms) of every SR. */
export function alignTrack(sync: TrackSync): TrackAlignment {
  const points = sync.senderReports.map((sr) => ({
    x: (rtpDelta(sr.rtpTs, sync.firstRtpTs) / sync.clockRate) * 1000,
    y: sr.ntpMs,
  }));
  if (points.length === 0)
    return { zeroWallMs: sync.firstPacketWorkerMs + sync.workerToWallMs, rate: 1, method: 'first-packet' };
  if (points.length === 1) {
    const p = points[0]!;
    return { zeroWallMs: p.y - p.x + sync.workerToWallMs, rate: 1, method: 'rtcp-fit' };
  }
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  // The slope from under a minute of SRs is noise (37–127 ppm off from 60 s, recording-sync.md): trust the offset only.
  const span = Math.max(...points.map((p) => p.x)) - Math.min(...points.map((p) => p.x));
  const rate = sxx > 0 && span >= MIN_RATE_SPAN_MS ? sxy / sxx : 1;
  const bounded = Math.min(1.01, Math.max(0.99, rate));
  const zero = my - bounded * mx;
  // The fit is trusted over the first-packet trace even when they disagree: measured here, the
  // fit gave a constant −14 ms where the trace anchor, in a run where the two were 250+ ms apart,
  // gave +192 ms (recording-sync.md recommends the fit too).
  return { zeroWallMs: zero + sync.workerToWallMs, rate: bounded, method: 'rtcp-fit' };
}
