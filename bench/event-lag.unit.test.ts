import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { lagBetween, parseEventLag } from './event-lag';

/** The server's histogram as prom-client prints it, with the node label the server adds. */
async function exposition(observations: Record<string, number[]>): Promise<string> {
  const registry = new Registry();
  registry.setDefaultLabels({ node: 'n1' });
  const h = new Histogram({
    name: 'confer_event_lag_seconds',
    help: 'test',
    labelNames: ['stage'] as const,
    buckets: [0.01, 0.1, 1],
    registers: [registry],
  });
  for (const [stage, values] of Object.entries(observations))
    for (const v of values) h.labels(stage).observe(v);
  return registry.metrics();
}

describe('the bench reading the server’s event-path lag', () => {
  it('takes only what was observed between two scrapes, per stage, in ms', async () => {
    const before = parseEventLag(await exposition({ broadcast: [5, 5] }));
    const after = parseEventLag(await exposition({ broadcast: [5, 5, 0.005, 0.005, 0.05, 0.05] }));
    const lag = lagBetween(before['broadcast'], after['broadcast'])!;
    expect(lag.events).toBe(4);
    expect(lag.meanMs).toBeCloseTo(27.5, 6);
    // Half the new observations are ≤ 10 ms: the median is the top of that bucket.
    expect(lag.p50Ms).toBeCloseTo(10, 6);
    // The 99th falls in (10 ms, 100 ms], read linearly within it as Prometheus does.
    expect(lag.p99Ms).toBeCloseTo(10 + (90 * (3.96 - 2)) / 2, 6);
    expect(lagBetween(before['forwarded'], after['forwarded'])).toBeUndefined();
  });

  it('reports nothing when nothing new was observed', async () => {
    const text = parseEventLag(await exposition({ forwarded: [0.2] }));
    expect(lagBetween(text['forwarded'], text['forwarded'])).toBeUndefined();
  });
});
