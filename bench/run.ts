import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { startConferProcess } from '../test/support/confer-process';
import { bareRelayTarget, conferTarget, runChatLoad, type ChatLoadResult } from './chat-load';
import { benchAppends } from './event-store-appends';
import { rawSqliteAppends } from './sqlite-baseline';
import { round } from './stats';

/**
 * `npm run bench`: every benchmark in one run, each beside its baseline measured in the same
 * process tree (the machines are noisy: compare ratios within a run, not across runs).
 * Prints tables and writes bench/results/<time>.json.
 */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const quick = process.argv.includes('--quick');
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const results: Record<string, unknown> = { startedAt: new Date().toISOString(), quick };

function table(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${title}\n${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => String(row[c])))}\n`);
}

async function startBareRelay(): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'bench/bare-relay-server.ts'), '0'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once('line', resolve),
  );
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

async function benchStore(): Promise<void> {
  progress('event store appends (SQLite, group commit) vs raw SQLite');
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-es-'));
  const duration = quick ? 1500 : 4000;
  const rows: Record<string, string | number>[] = [];
  const raw1 = rawSqliteAppends(1, duration);
  const raw50 = rawSqliteAppends(50, duration);
  rows.push({
    store: 'raw SQLite, 1 row/tx (baseline)',
    writers: 1,
    'appends/s': round(raw1.appendsPerSec, 0),
    'p50 ms': '-',
    'p99 ms': '-',
  });
  rows.push({
    store: 'raw SQLite, 50 rows/tx (baseline)',
    writers: 1,
    'appends/s': round(raw50.appendsPerSec, 0),
    'p50 ms': '-',
    'p99 ms': '-',
  });
  const confer: Record<number, unknown> = {};
  for (const writers of [1, 10, 100]) {
    const store = createSqliteEventStore({ path: join(dir, `w${writers}.db`) });
    const r = await benchAppends(store, writers, duration);
    await store.close();
    confer[writers] = r;
    rows.push({
      store: 'Confer SQLite event store',
      writers,
      'appends/s': round(r.appendsPerSec, 0),
      'p50 ms': round(r.p50Ms, 2),
      'p99 ms': round(r.p99Ms, 2),
    });
  }
  rmSync(dir, { recursive: true, force: true });
  results['eventStore'] = { rawSqlite: { perTx1: raw1, perTx50: raw50 }, sqlite: confer };
  table('Durable appends (~250-byte events, fsync on commit)', rows);
}

async function benchChat(): Promise<void> {
  const confer = await startConferProcess({
    HTTP_RATE_PER_MINUTE: '100000000',
    SOCKET_RATE_PER_SECOND: '1000',
    SOCKET_RATE_BURST: '2000',
    LOG_LEVEL: 'warn',
  });
  const relay = await startBareRelay();
  const duration = quick ? 4000 : 10_000;
  const scenarios = [
    { meetings: 1, participants: 2, ratePerSecond: 20 },
    { meetings: 1, participants: 10, ratePerSecond: 20 },
    { meetings: 1, participants: 100, ratePerSecond: 20 },
    { meetings: quick ? 200 : 1000, participants: 5, ratePerSecond: 2500 },
  ];
  const out: { scenario: string; confer: ChatLoadResult; baseline: ChatLoadResult }[] = [];
  try {
    for (const s of scenarios) {
      const label = `${s.meetings} × ${s.participants} @ ${s.ratePerSecond}/s`;
      progress(`chat ${label}: baseline (bare relay)`);
      const baseline = await runChatLoad(bareRelayTarget(relay.url), {
        ...s,
        durationMs: duration,
        onProgress: progress,
      });
      progress(`chat ${label}: Confer (validate → decide → durable append → project → bus → broadcast)`);
      const c = await runChatLoad(conferTarget(confer.url), {
        ...s,
        durationMs: duration,
        onProgress: progress,
      });
      out.push({ scenario: label, confer: c, baseline });
    }
  } finally {
    relay.stop();
    await confer.dispose();
  }
  results['chat'] = out;
  table(
    'Chat: socket `chat` → `chat` received by every other participant',
    out.flatMap(({ scenario, confer: c, baseline: b }) =>
      [c, b].map((r) => ({
        scenario,
        target: r.target,
        'offered/s': round(r.offeredPerSec, 0),
        'acked/s': round(r.ackedPerSec, 0),
        delivered: `${r.deliveries}/${r.expectedDeliveries}`,
        'p50 ms': round(r.latencyMs.p50, 1),
        'p95 ms': round(r.latencyMs.p95, 1),
        'p99 ms': round(r.latencyMs.p99, 1),
        'p99 ratio': r === c ? round(c.latencyMs.p99 / b.latencyMs.p99, 2) : 1,
      })),
    ),
  );
}

async function main(): Promise<void> {
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const wanted = (name: string) => !only || only.includes(name);
  if (wanted('store')) await benchStore();
  if (wanted('chat')) await benchChat();
  results['finishedAt'] = new Date().toISOString();
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten ${file}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
