import { SignJWT } from 'jose';
import { TEST_AUTH_SECRET, type ConferProcess } from '../test/support/confer-process';

/** One stage of `confer_event_lag_seconds` as scraped: cumulative bucket counts by upper bound. */
export interface LagHistogram {
  buckets: { le: number; count: number }[];
  count: number;
  sum: number;
}

export type LagStages = Record<string, LagHistogram>;

const NAME = 'confer_event_lag_seconds';

/** Reads the server's event-path lag histogram per stage (decided → forwarded, → broadcast). */
export async function scrapeEventLag(confer: ConferProcess): Promise<LagStages> {
  const token = await new SignJWT({ role: 'operator' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
  const text = await fetch(`${confer.url}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then(
    (r) => r.text(),
  );
  return parseEventLag(text);
}

export function parseEventLag(text: string): LagStages {
  const stages: LagStages = {};
  const stageOf = (labels: string) => /stage="([^"]+)"/.exec(labels)?.[1];
  for (const line of text.split('\n')) {
    if (!line.startsWith(NAME)) continue;
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, metric, labels, raw] = match;
    const stage = stageOf(labels!);
    if (!stage) continue;
    const value = Number(raw);
    const h = (stages[stage] ??= { buckets: [], count: 0, sum: 0 });
    if (metric === `${NAME}_bucket`) {
      const le = /le="([^"]+)"/.exec(labels!)?.[1];
      h.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
    } else if (metric === `${NAME}_count`) h.count = value;
    else if (metric === `${NAME}_sum`) h.sum = value;
  }
  for (const h of Object.values(stages)) h.buckets.sort((a, b) => a.le - b.le);
  return stages;
}

/** What was observed between two scrapes, in ms: mean, p50 and p99 read from the buckets. */
export function lagBetween(
  before: LagHistogram | undefined,
  after: LagHistogram | undefined,
): { events: number; meanMs: number; p50Ms: number; p99Ms: number } | undefined {
  if (!after) return undefined;
  const earlier = (le: number) => before?.buckets.find((b) => b.le === le)?.count ?? 0;
  const buckets = after.buckets.map((b) => ({ le: b.le, count: b.count - earlier(b.le) }));
  const events = after.count - (before?.count ?? 0);
  if (events <= 0) return undefined;
  const meanMs = ((after.sum - (before?.sum ?? 0)) / events) * 1000;
  return { events, meanMs, p50Ms: quantile(buckets, events, 0.5), p99Ms: quantile(buckets, events, 0.99) };
}

/** Prometheus' histogram_quantile: linear within the bucket the rank falls in. */
function quantile(buckets: { le: number; count: number }[], total: number, q: number): number {
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lower * 1000;
      const within = b.count - below;
      return (lower + (b.le - lower) * (within > 0 ? (rank - below) / within : 0)) * 1000;
    }
    lower = b.le;
    below = b.count;
  }
  return lower * 1000;
}
