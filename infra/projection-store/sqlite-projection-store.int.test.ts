import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import { describeProjectionStoreContract } from '../../test/contracts/projection-store.contract';
import { DOCS_SCHEMA_VERSION } from './sqlite-docs-schema';
import { createSqliteProjectionStore } from './sqlite-projection-store';

const dir = mkdtempSync(join(tmpdir(), 'confer-ps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One file for the whole suite: the contract isolates tests by collection and partition names.
const sharedPath = join(dir, 'contract.db');
describeProjectionStoreContract('SQLite (file, WAL)', async () =>
  createSqliteProjectionStore({ path: sharedPath }),
);

describe('SQLite projection store', () => {
  it('keeps committed documents across a close and reopen', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const store = createSqliteProjectionStore({ path });
    await store.transaction((tx) => tx.put('c', 'p', 'k', { n: 1 }));
    await store.close();
    const reopened = createSqliteProjectionStore({ path });
    expect(await reopened.get('c', 'p', 'k')).toEqual({ n: 1 });
    await reopened.close();
  });

  it('records its schema version and migrates a file only once', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    await createSqliteProjectionStore({ path }).close();
    await createSqliteProjectionStore({ path }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(DOCS_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file written by a newer schema', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const db = new Database(path);
    db.pragma(`user_version = ${DOCS_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createSqliteProjectionStore({ path })).toThrow(/newer than this code/);
  });

  it('lets a second store on the same file read what the first committed', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const a = createSqliteProjectionStore({ path });
    const b = createSqliteProjectionStore({ path });
    await a.transaction((tx) => tx.put('c', 'p', 'k', { from: 'a' }));
    expect(await b.get('c', 'p', 'k')).toEqual({ from: 'a' });
    await b.transaction((tx) => tx.put('c', 'p', 'k', { from: 'b' }));
    expect(await a.get('c', 'p', 'k')).toEqual({ from: 'b' });
    await a.close();
    await b.close();
  });

  it('needs a file: an in-memory database cannot serve its separate read connection', () => {
    expect(() => createSqliteProjectionStore({ path: ':memory:' })).toThrow(/file path/);
  });

  it('finishes queued transactions on close, then refuses new work with the port error', async () => {
    const store = createSqliteProjectionStore({ path: join(dir, `${randomUUID()}.db`) });
    const queued = store.transaction((tx) => tx.put('c', 'p', 'k', { n: 1 }));
    await store.close();
    await queued;
    await expect(store.transaction(async () => undefined)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.get('c', 'p', 'k')).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const store = createSqliteProjectionStore({ path: join(dir, `${randomUUID()}.db`) });
    const leaked = await store.transaction(async (tx) => tx);
    await expect(leaked.put('c', 'p', 'k', { n: 1 })).rejects.toThrow(/already ended/);
    expect(await store.get('c', 'p', 'k')).toBeUndefined();
    await store.close();
  });
});
