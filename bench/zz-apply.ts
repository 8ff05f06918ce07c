import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openSqliteEventReader } from '../infra/event-store/sqlite/event-reader';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createAnalyticsHandler } from '../pipelines/analytics/analytics-handler';
import { allProjections, createProjectionRunner } from '../projections';

const [eventsPath, batchArg = '250'] = process.argv.slice(2);
const batch = Number(batchArg);
const logger = pino({ level: 'warn' });
const store = createSqliteProjectionStore({ path: join(mkdtempSync(join(tmpdir(), 'zz-')), 'rm.db') });
const runner = createProjectionRunner({ store, projections: allProjections(), logger });
const analytics = createAnalyticsHandler({
  source: 'http://x/analytics',
  schemaBase: 'http://x/docs/analytics',
  chatContent: false,
  store,
  logger,
});
const reader = openSqliteEventReader(eventsPath!);
let position = 0;
let n = 0;
const cpu = { projections: 0, analytics: 0 };
const t0 = performance.now();
for (;;) {
  const events = reader.readAll(position, batch);
  if (events.length === 0) break;
  let c = process.cpuUsage();
  await runner.handle(events);
  let d = process.cpuUsage(c);
  cpu.projections += d.user + d.system;
  c = process.cpuUsage();
  await analytics.handle(events);
  d = process.cpuUsage(c);
  cpu.analytics += d.user + d.system;
  position = events.at(-1)!.globalPosition;
  n += events.length;
}
console.log(
  JSON.stringify({
    events: n,
    wallS: (performance.now() - t0) / 1000,
    projectionsUsPerEvent: cpu.projections / n,
    analyticsUsPerEvent: cpu.analytics / n,
  }),
);
await store.close();
