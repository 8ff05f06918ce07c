import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics';

/**
 * docs/ops: the alert rules and the Grafana dashboard only query metrics this code exports, and
 * promtool (Debian's prometheus package) accepts the rules where it is installed.
 */
const metricNames = async () => {
  const text = await createMetrics('test').registry.metrics();
  return new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].flatMap(([, name, type]) =>
      type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ),
  );
};
// Confer's own metrics, and the Node.js runtime's that the node exports beside them.
const queried = (text: string) =>
  new Set([...text.matchAll(/\b((?:confer|nodejs)_[a-z0-9_]+)/g)].map(([, name]) => name!));

/** Every query of the Grafana dashboard, one per line. */
const dashboardExprs = () => {
  const dashboard = JSON.parse(readFileSync('docs/ops/grafana-dashboard.json', 'utf8')) as {
    panels: Array<{ targets: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
};

describe('operations files', () => {
  it('alert on metrics that exist, for each of the seed’s four alerts', async () => {
    const rules = readFileSync('docs/ops/alerts.yml', 'utf8');
    const known = await metricNames();
    for (const name of queried(rules)) expect(known, name).toContain(name);
    for (const alert of [
      'ConferPacketLossHigh',
      'ConferRoundTripHigh',
      'ConferJoinFailuresHigh',
      'ConferSfuCpuHigh',
    ])
      expect(rules).toContain(`alert: ${alert}`);
    if (existsSync('/usr/bin/promtool'))
      expect(
        execFileSync('/usr/bin/promtool', ['check', 'rules', 'docs/ops/alerts.yml'], { encoding: 'utf8' }),
      ).toContain('SUCCESS');
  });

  it('chart metrics that exist in the Grafana dashboard', async () => {
    const known = await metricNames();
    for (const name of queried(dashboardExprs())) expect(known, name).toContain(name);
  });

  it('chart every metric an alert watches, so whoever is paged can see how it came to be', () => {
    const charted = queried(dashboardExprs());
    for (const name of queried(readFileSync('docs/ops/alerts.yml', 'utf8')))
      expect(charted, name).toContain(name);
  });
});
