import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

/**
 * Baseline: raw better-sqlite3 inserts of ~250-byte rows into one WAL file with synchronous=FULL,
 * nothing of Confer on top: one transaction per row, and `batch` rows per transaction.
 */
export function rawSqliteAppends(batch: number, durationMs: number): { appendsPerSec: number } {
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-sqlite-'));
  const db = new Database(join(dir, 'raw.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE events (pos INTEGER PRIMARY KEY, stream TEXT, revision INTEGER, data TEXT)');
    const insert = db.prepare('INSERT INTO events (stream, revision, data) VALUES (?, ?, ?)');
    const payload = JSON.stringify({ text: 'x'.repeat(200) });
    const write = db.transaction((from: number) => {
      for (let i = 0; i < batch; i++) insert.run('s', from + i, payload);
    });
    let rows = 0;
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      write(rows);
      rows += batch;
    }
    return { appendsPerSec: (rows * 1000) / (performance.now() - start) };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
