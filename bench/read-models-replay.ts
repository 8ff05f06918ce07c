import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { z } from 'zod';
import { openSqliteEventReader } from '../infra/event-store/sqlite/event-reader';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createAnalyticsHandler } from '../pipelines/analytics/analytics-handler';
import { allProjections, createProjectionRunner } from '../projections';

/**
 * `npx tsx bench/read-models-replay.ts <events.db> [batch] [page size]`: the events of a recorded run (a
 * Confer's DATA_DIR/events.db, e.g. kept from a chat load) applied to a fresh SQLite projection
 * store, as the read models' thread applies them (the projections, then analytics, batch by batch,
 * 250 events by default as READ_MODELS_BATCH), on this thread alone: the CPU each target takes an
 * event, free of the load's noise. Prints one JSON line. A tool for changing the read models'
 * cost (docs/capacity.md, thirty-first session); not part of `npm run bench`.
 */
const Args = z.tuple([
  z.string().refine(existsSync, 'no such file'),
  z.coerce.number().int().min(1).max(20_000).default(250),
  z.coerce
    .number()
    .int()
    .refine(
      (n) => [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536].includes(n),
      'a power of two, 512–65536',
    )
    .optional(),
]);
const parsed = Args.safeParse(process.argv.slice(2, 5));
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  const names = ['events.db', 'batch', 'page size'];
  process.stderr.write(`read-models-replay: ${names[Number(issue.path[0])]}: ${issue.message}\n`);
  process.exit(2);
}
const [eventsPath, batch, pageSize] = parsed.data;
const logger = pino({ level: 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'confer-replay-'));
if (pageSize !== undefined) {
  // The page size is fixed by the file's first write: made here before the store opens it.
  const db = new Database(join(dir, 'read-models.db'));
  db.pragma(`page_size = ${pageSize}`);
  db.pragma('journal_mode = WAL');
  db.close();
}
const store = createSqliteProjectionStore({ path: join(dir, 'read-models.db') });
const projections = createProjectionRunner({ store, projections: allProjections(), logger });
const analytics = createAnalyticsHandler({
  source: 'http://localhost/analytics',
  schemaBase: 'http://localhost/docs/analytics',
  chatContent: false,
  store,
  logger,
});
const reader = openSqliteEventReader(eventsPath);
const cpuUs = { projections: 0, analytics: 0 };
const timed = async (target: keyof typeof cpuUs, work: () => Promise<unknown>) => {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  cpuUs[target] += used.user + used.system;
};
/** Bytes this process has had written to storage (its write-ahead log and the file it copies to). */
const writtenBytes = () => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const writtenBefore = writtenBytes();
let position = 0;
let events = 0;
const started = performance.now();
try {
  for (;;) {
    const batchOf = reader.readAll(position, batch);
    if (batchOf.length === 0) break;
    await timed('projections', () => projections.handle(batchOf));
    await timed('analytics', () => analytics.handle(batchOf));
    position = batchOf.at(-1)!.globalPosition;
    events += batchOf.length;
  }
  const round = (n: number) => Math.round(n * 10) / 10;
  process.stdout.write(
    `${JSON.stringify({
      events,
      batch,
      pageSize: pageSize ?? 'default',
      seconds: round((performance.now() - started) / 1000),
      projectionsUsPerEvent: round(cpuUs.projections / events),
      analyticsUsPerEvent: round(cpuUs.analytics / events),
      writtenKiBPerEvent: round((writtenBytes() - writtenBefore) / 1024 / events),
    })}\n`,
  );
} finally {
  reader.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
