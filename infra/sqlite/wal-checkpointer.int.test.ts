import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually';
import { startWalCheckpointer } from './wal-checkpointer';

/** Every thread of this process with its niceness (on Linux each thread has its own). */
const nicenessByThread = (): Map<number, number> =>
  new Map(readdirSync('/proc/self/task').map((tid) => [Number(tid), getPriority(Number(tid))]));

describe.runIf(process.platform === 'linux')('the WAL checkpointer thread', () => {
  it('runs at niceness 10, below the event loop and the writers, and leaves every other thread as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'confer-checkpointer-'));
    const path = join(dir, 'file.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    const before = nicenessByThread();
    const checkpointer = startWalCheckpointer(path, 50);
    try {
      await eventually(
        'a new thread at niceness 10',
        () => [...nicenessByThread()].some(([tid, nice]) => !before.has(tid) && nice === 10),
        { timeoutMs: 10_000 },
      );
      const after = nicenessByThread();
      expect(after.get(process.pid)).toBe(0);
      for (const [tid, nice] of before) if (after.has(tid)) expect(after.get(tid)).toBe(nice);
    } finally {
      await checkpointer.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
