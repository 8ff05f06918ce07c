import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openSqliteEventReader } from '../infra/event-store/sqlite/event-reader';
import { openReplayTarget, type ReplayTarget } from './read-models-replay-target';
import { ReplayVariant, parseVariant } from './read-models-replay-variant';

/**
 * `npx tsx bench/read-models-replay.ts <events.db> [--batch=250] [variant ...]`: the events of a
 * recorded run (a Confer's DATA_DIR/events.db, e.g. kept from a chat load) applied to fresh SQLite
 * projection stores, as the read models' thread applies them (the projections, then analytics,
 * batch by batch), on this thread alone: the CPU each target takes an event, free of the load's
 * noise. A tool for changing the read models' cost (docs/capacity.md); not part of `npm run bench`.
 *
 * A variant is `name[:page=<bytes>][,wac=<pages>]` (the store's page size, its
 * wal_autocheckpoint), `default` when none is given. With several, every batch goes to each
 * variant's store in turn, the order rotating batch by batch: the machine's drift over minutes
 * (~20 % here) falls on all of them alike, which runs one after another could not promise.
 */
const Options = z.object({
  eventsPath: z.string().refine(existsSync, 'no such file'),
  batch: z.coerce.number().int().min(1).max(20_000).default(250),
  variants: z
    .array(ReplayVariant)
    .min(1)
    .max(6)
    .refine(
      (all) => new Set(all.map((v) => v.name)).size === all.length,
      'each variant needs a name of its own',
    ),
});

function fail(message: string): never {
  process.stderr.write(`read-models-replay: ${message}\n`);
  process.exit(2);
}

function options(): z.infer<typeof Options> {
  let parsedArgs;
  try {
    parsedArgs = parseArgs({ allowPositionals: true, options: { batch: { type: 'string' } } });
  } catch (error) {
    fail((error as Error).message);
  }
  const [eventsPath, ...variantArgs] = parsedArgs.positionals;
  if (eventsPath === undefined) fail('events.db: required (a Confer DATA_DIR/events.db)');
  const variants = (variantArgs.length > 0 ? variantArgs : ['default']).map((arg) => {
    const variant = parseVariant(arg);
    return variant.ok ? variant.value : fail(`variant ${JSON.stringify(arg)}: ${variant.error}`);
  });
  const parsed = Options.safeParse({ eventsPath, batch: parsedArgs.values.batch, variants });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`${issue.path[0] === 'eventsPath' ? 'events.db' : String(issue.path[0])}: ${issue.message}`);
  }
  return parsed.data;
}

/** On a terminal one line rewritten; in a log, a line every 10,000 events. */
function progress(events: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r[read-models-replay] ${events} events`);
  else process.stderr.write(`[read-models-replay] ${events} events\n`);
}

const { eventsPath, batch, variants } = options();
const dir = mkdtempSync(join(tmpdir(), 'confer-replay-'));
const targets: ReplayTarget[] = [];
const reader = openSqliteEventReader(eventsPath);
try {
  for (const variant of variants) targets.push(openReplayTarget(dir, variant));
  let position = 0;
  let events = 0;
  let batches = 0;
  const started = performance.now();
  for (;;) {
    const batchOf = reader.readAll(position, batch);
    if (batchOf.length === 0) break;
    for (let i = 0; i < targets.length; i++) {
      await targets[(batches + i) % targets.length]!.apply(batchOf);
    }
    position = batchOf.at(-1)!.globalPosition;
    events += batchOf.length;
    batches += 1;
    if (batches % 40 === 0) progress(events);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const round = (n: number) => Math.round(n * 10) / 10;
  const rows = targets.map((target) => {
    const { projectionsUs, analyticsUs, writtenBytes } = target.totals();
    return {
      variant: target.variant.name,
      pageSize: target.variant.pageSize ?? 'default',
      walAutocheckpoint: target.variant.walAutocheckpoint ?? 'default',
      projectionsUsPerEvent: round(projectionsUs / events),
      analyticsUsPerEvent: round(analyticsUs / events),
      totalUsPerEvent: round((projectionsUs + analyticsUs) / events),
      writtenKiBPerEvent: round(writtenBytes / 1024 / events),
    };
  });
  const first = rows[0]!;
  const compared = rows.map((row) => ({
    ...row,
    cpuVsFirst: Math.round((row.totalUsPerEvent / first.totalUsPerEvent) * 100) / 100,
  }));
  if (process.stdout.isTTY) console.table(compared);
  process.stdout.write(
    `${JSON.stringify({ events, batch, seconds: round((performance.now() - started) / 1000), variants: compared })}\n`,
  );
} finally {
  reader.close();
  for (const target of targets) await target.close();
  rmSync(dir, { recursive: true, force: true });
}
