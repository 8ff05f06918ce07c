import { PerformanceObserver, constants } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { labelledMetric } from '../loadtest/prometheus-text';
import { gcKindOf } from './gc-metrics';
import { createMetrics } from './metrics';

/** Every collection V8 reports, and in how many lists (one list per observer callback). */
function countEveryGc() {
  const seen = { entries: 0, lists: 0, scavenges: 0 };
  const observer = new PerformanceObserver((list) => {
    const entries = list.getEntries();
    seen.lists++;
    seen.entries += entries.length;
    seen.scavenges += entries.filter((e) => gcKindOf(e) === constants.NODE_PERFORMANCE_GC_MINOR).length;
  });
  observer.observe({ entryTypes: ['gc'] });
  return { seen, stop: () => observer.disconnect() };
}

/** Short-lived garbage in one synchronous turn: several scavenges before any observer runs. */
function allocateInOneTurn(): number {
  // Each object outlives its iteration (kept in a ring), so none is optimised away.
  const ring: { i: number; a: number[] }[] = new Array<{ i: number; a: number[] }>(1024);
  let kept = 0;
  for (let i = 0; i < 3_000_000; i++) {
    ring[i % 1024] = { i, a: [i, i + 1] };
    kept += ring[(i * 7) % 1024]?.a.length ?? 0;
  }
  return kept;
}

const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

describe('nodejs_gc_duration_seconds', () => {
  it('counts every scavenge, also those V8 reports several at a time', async () => {
    const reference = countEveryGc();
    stops.push(reference.stop);
    const metrics = createMetrics('test');
    stops.push(metrics.close);
    const scavenges = async () =>
      labelledMetric(await metrics.registry.metrics(), 'nodejs_gc_duration_seconds_count', 'kind', 'minor') ??
      0;
    // The metric read between two readings of the reference: a collection during the scrape
    // itself counts on one side or the other, never against the test.
    const readBoth = async () => {
      const first = { ...reference.seen };
      const counted = await scavenges();
      return { first, counted, then: { ...reference.seen } };
    };
    await sleep(50);
    const before = await readBoth();

    expect(allocateInOneTurn()).toBeGreaterThan(0);
    await sleep(100);

    const after = await readBoth();
    // The case prom-client gets wrong happened: more collections than callbacks.
    expect(after.first.entries - before.then.entries).toBeGreaterThan(after.then.lists - before.first.lists);
    const counted = after.counted - before.counted;
    expect(counted).toBeGreaterThanOrEqual(after.first.scavenges - before.then.scavenges);
    expect(counted).toBeLessThanOrEqual(after.then.scavenges - before.first.scavenges);
  });

  it('is served once, with its kinds and buckets', async () => {
    const metrics = createMetrics('test');
    stops.push(metrics.close);
    allocateInOneTurn();
    await sleep(50);
    const text = await metrics.registry.metrics();
    expect(text.match(/^# TYPE nodejs_gc_duration_seconds histogram$/gm)).toHaveLength(1);
    const firstBucket = text
      .split('\n')
      .find((line) => line.startsWith('nodejs_gc_duration_seconds_bucket{') && line.includes('le="0.001"'));
    expect(firstBucket).toContain('kind="minor"');
    expect(firstBucket).toContain('node="test"');
  });
});
