/**
 * What the browser tells the analytics pipeline about its connection, every 10 s: round trip,
 * loss, jitter and bitrates from WebRTC's getStats (RTCStatsReport), as deltas since the last
 * report (the counters are cumulative). Pure, so it is tested without a browser.
 */
export interface StatsTotals {
  at: number;
  rttMs: number | null;
  jitterMs: number | null;
  packetsReceived: number;
  packetsLost: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface QualityFigures {
  rttMs: number | null;
  lossPct: number | null;
  jitterMs: number | null;
  sentKbps: number | null;
  receivedKbps: number | null;
}

type Stat = { type: string } & Record<string, unknown>;
const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Sums one moment's getStats reports (both transports) into totals. */
export function totalsOf(reports: Iterable<Stat>, at: number): StatsTotals {
  const totals: StatsTotals = {
    at,
    rttMs: null,
    jitterMs: null,
    packetsReceived: 0,
    packetsLost: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  const rtts: number[] = [];
  for (const stat of reports) {
    if (stat.type === 'candidate-pair' && stat['nominated'] === true) {
      const rtt = num(stat['currentRoundTripTime']);
      if (rtt !== undefined) rtts.push(rtt * 1000);
    } else if (stat.type === 'inbound-rtp') {
      totals.packetsReceived += num(stat['packetsReceived']) ?? 0;
      totals.packetsLost += Math.max(0, num(stat['packetsLost']) ?? 0);
      totals.bytesReceived += num(stat['bytesReceived']) ?? 0;
      const jitter = num(stat['jitter']);
      if (jitter !== undefined) totals.jitterMs = Math.max(totals.jitterMs ?? 0, jitter * 1000);
    } else if (stat.type === 'outbound-rtp') {
      totals.bytesSent += num(stat['bytesSent']) ?? 0;
    }
  }
  if (rtts.length > 0) totals.rttMs = rtts.reduce((a, b) => a + b, 0) / rtts.length;
  return totals;
}

/** The figures of the interval between two totals (null where nothing was measured). */
export function figuresBetween(before: StatsTotals, now: StatsTotals): QualityFigures {
  const seconds = (now.at - before.at) / 1000;
  const received = now.packetsReceived - before.packetsReceived;
  const lost = now.packetsLost - before.packetsLost;
  const kbps = (bytes: number) =>
    seconds > 0 && bytes >= 0 ? Math.round((bytes * 8) / 1000 / seconds) : null;
  return {
    rttMs: now.rttMs === null ? null : Math.round(now.rttMs * 10) / 10,
    lossPct: received + lost > 0 && lost >= 0 ? Math.round((lost / (received + lost)) * 10_000) / 100 : null,
    jitterMs: now.jitterMs === null ? null : Math.round(now.jitterMs * 10) / 10,
    sentKbps: kbps(now.bytesSent - before.bytesSent),
    receivedKbps: kbps(now.bytesReceived - before.bytesReceived),
  };
}
