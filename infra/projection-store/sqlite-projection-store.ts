import { leaveCheckpointsToThread, startWalCheckpointer } from '../sqlite/wal-checkpointer';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type {
  DocRef,
  Doc,
  DocEntry,
  ProjectionReader,
  ProjectionStore,
  ProjectionWriter,
  RangeOptions,
} from '../../domain/ports/projection-store';
import {
  migrateDocsSchema,
  prepareDocStatements,
  type DocRow,
  type DocStatements,
} from './sqlite-docs-schema';

export interface SqliteProjectionStoreOptions {
  /** A file path: reads use a second connection, which an in-memory database cannot share. */
  path: string;
  /**
   * How often a thread of its own copies the write-ahead log into the file
   * (infra/sqlite/wal-checkpointer.ts); 0 leaves it to the commits, as SQLite does. A commit
   * that takes the log past 1,000 pages copies it synchronously: on the server's event loop
   * (the forwarder's position, leases, audit records) that held every socket for 3–13 ms, a
   * dozen times in four minutes at 4,000 chats/s, the read models' thread filling the log.
   */
  checkpointEveryMs?: number;
  /**
   * The write-ahead log's length, in pages, past which a commit copies it into the file
   * (SQLite's `wal_autocheckpoint`, 1,000 by default). Where the checkpoints are the commits'
   * (checkpointEveryMs 0): a longer log copies a page the read models keep rewriting (a busy
   * meeting's) once per checkpoint rather than once per batch or two. The product leaves it
   * unset: in place, 10,000 pages made the 2,500/s chat tail worse (each copy ten times larger),
   * though the read models' CPU fell ~7 % in isolation (docs/capacity.md, seventeenth and
   * thirty-second sessions); bench/read-models-replay.ts sets it.
   */
  walAutocheckpointPages?: number;
}

/**
 * Read models in one SQLite file (WAL, synchronous=NORMAL: projections can be rebuilt from the
 * event store, and a projection's checkpoint is written in the same transaction as its data, so
 * a lost tail after a power cut rolls both back together and the events are simply applied again).
 *
 * Two connections: `writer` runs the transactions, one at a time (queued, since better-sqlite3
 * is synchronous and a connection has one transaction); `reader` answers reads outside a
 * transaction from the last committed snapshot, so readers never see a transaction in progress.
 *
 * Several stores may write one file (the server's thread and the read models' thread): a
 * transaction waits for the write lock in short asynchronous sleeps (beginWrite), so a store
 * waiting for a transaction held across an `await` elsewhere never blocks its own thread.
 */
export function createSqliteProjectionStore(options: SqliteProjectionStoreOptions): ProjectionStore {
  if (options.path === ':memory:' || options.path === '') {
    throw new Error('The SQLite projection store needs a file path (reads use their own connection)');
  }
  mkdirSync(dirname(options.path), { recursive: true });
  const writer = open(options.path);
  if (options.walAutocheckpointPages !== undefined) {
    writer.pragma(`wal_autocheckpoint = ${Math.max(1, Math.trunc(options.walAutocheckpointPages))}`);
  }
  migrateDocsSchema(writer);
  // From now on a busy write lock is waited for asynchronously (beginWrite), never by blocking
  // the thread: another thread of this process (the read models' own) writes the same file.
  writer.pragma('busy_timeout = 0');
  // Off by default for now: with a thread per store (two per server, one more per test world)
  // two fresh-clone CI runs failed in load-sensitive browser tests; measure before turning it on.
  const checkpointEveryMs = options.checkpointEveryMs ?? 0;
  if (checkpointEveryMs > 0) leaveCheckpointsToThread(writer);
  const checkpointer =
    checkpointEveryMs > 0 ? startWalCheckpointer(options.path, checkpointEveryMs) : undefined;
  const reader = open(options.path);
  const writeStmts = prepareDocStatements(writer);
  const readStmts = prepareDocStatements(reader);
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const committedReads = readerOver(readStmts, () => {
    if (closed) throw new StoreUnavailableError('Projection store is closed');
  });

  async function runTransaction<T>(work: (tx: ProjectionWriter) => Promise<T>): Promise<T> {
    await beginWrite(writer);
    const tx = new TransactionWriter(writeStmts);
    try {
      const result = await work(tx);
      tx.finish();
      sqlite(() => writer.exec('COMMIT'));
      return result;
    } catch (error) {
      tx.finish();
      // A failed COMMIT may already have ended the transaction; only roll back one still open.
      // The work's own error is the one worth reporting: a failed ROLLBACK shows at the next BEGIN.
      if (writer.inTransaction) {
        try {
          writer.exec('ROLLBACK');
        } catch {
          // reported by the next transaction
        }
      }
      throw error;
    }
  }

  return {
    ...committedReads,

    transaction<T>(work: (tx: ProjectionWriter) => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new StoreUnavailableError('Projection store is closed'));
      // Each transaction starts once the previous one has settled, whatever its outcome.
      const result = tail.then(() => runTransaction(work));
      tail = result.catch(() => undefined);
      return result;
    },

    async close() {
      if (closed) return;
      // Transactions already queued still run; new ones are refused.
      closed = true;
      await tail;
      await checkpointer?.close();
      reader.close();
      writer.close();
    },
  };
}

function open(path: string): Database.Database {
  return sqlite(() => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    return db;
  });
}

/** How long a transaction waits for the write lock held by another connection before giving up. */
const LOCK_WAIT_MS = 30_000;

/**
 * BEGIN IMMEDIATE, waiting for a write lock held by another connection (the read models' thread,
 * another process) in short sleeps that leave the event loop free: SQLite's own busy_timeout
 * would block the whole thread (sockets, timers) for as long as the other writer holds it.
 */
async function beginWrite(db: Database.Database): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 1; ; delay = Math.min(20, delay * 2)) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (error) {
      if (!(error instanceof Database.SqliteError)) throw error;
      if (!error.code.startsWith('SQLITE_BUSY') || Date.now() >= deadline)
        throw new StoreUnavailableError(`SQLite projection store: ${error.message}`, error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Runs a SQLite call, translating the driver's errors into the port's "retry later" error. */
function sqlite<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof Database.SqliteError) {
      throw new StoreUnavailableError(`SQLite projection store: ${error.message}`, error);
    }
    throw error;
  }
}

function readerOver(stmts: DocStatements, assertUsable: () => void): ProjectionReader {
  return {
    async get<T extends Doc = Doc>(collection: string, partition: string, key: string) {
      assertUsable();
      const row = sqlite(() => stmts.get.get(collection, partition, key));
      return row ? (JSON.parse(row.doc) as T) : undefined;
    },
    // In-process: one indexed lookup each costs less than building one statement for them all.
    async getMany<T extends Doc = Doc>(refs: readonly DocRef[]) {
      assertUsable();
      return refs.map(({ collection, partition, key }) => {
        const row = sqlite(() => stmts.get.get(collection, partition, key));
        return row ? (JSON.parse(row.doc) as T) : undefined;
      });
    },
    async range<T extends Doc = Doc>(collection: string, partition: string, opts: RangeOptions) {
      assertUsable();
      const rows = sqlite(() => {
        const { cursor, limit, order } = opts;
        if (order === 'asc') {
          return cursor === undefined
            ? stmts.rangeAsc.all(collection, partition, limit)
            : stmts.rangeAscAfter.all(collection, partition, cursor, limit);
        }
        return cursor === undefined
          ? stmts.rangeDesc.all(collection, partition, limit)
          : stmts.rangeDescBefore.all(collection, partition, cursor, limit);
      });
      return rows.map((row) => toEntry<T>(row));
    },
    async scan<T extends Doc = Doc>(collection: string, opts: { limit: number; cursor?: string }) {
      assertUsable();
      const rows = sqlite(() =>
        opts.cursor === undefined
          ? stmts.scan.all(collection, opts.limit)
          : stmts.scanAfter.all(collection, opts.cursor, opts.limit),
      );
      return rows.map((row) => toEntry<T>(row));
    },
  };
}

/** The view of one open transaction; refuses to be used once the transaction has ended. */
class TransactionWriter implements ProjectionWriter {
  private open = true;
  private readonly reads: ProjectionReader;

  constructor(private readonly stmts: DocStatements) {
    // Reads go through the writer connection, so they see this transaction's own writes.
    this.reads = readerOver(stmts, () => this.check());
  }

  finish(): void {
    this.open = false;
  }

  private check(): void {
    if (!this.open) throw new Error('This projection store transaction has already ended');
  }

  get<T extends Doc = Doc>(collection: string, partition: string, key: string): Promise<T | undefined> {
    return this.reads.get<T>(collection, partition, key);
  }

  getMany<T extends Doc = Doc>(refs: readonly DocRef[]): Promise<Array<T | undefined>> {
    return this.reads.getMany<T>(refs);
  }

  range<T extends Doc = Doc>(
    collection: string,
    partition: string,
    opts: RangeOptions,
  ): Promise<DocEntry<T>[]> {
    return this.reads.range<T>(collection, partition, opts);
  }

  scan<T extends Doc = Doc>(
    collection: string,
    opts: { limit: number; cursor?: string },
  ): Promise<DocEntry<T>[]> {
    return this.reads.scan<T>(collection, opts);
  }

  async put(collection: string, partition: string, key: string, doc: Doc): Promise<void> {
    this.check();
    const json = JSON.stringify(doc);
    sqlite(() => this.stmts.put.run(collection, partition, key, json));
  }

  async delete(collection: string, partition: string, key: string): Promise<void> {
    this.check();
    sqlite(() => this.stmts.delete.run(collection, partition, key));
  }

  async clear(collection: string): Promise<void> {
    this.check();
    sqlite(() => this.stmts.clear.run(collection));
  }
}

function toEntry<T extends Doc>(row: DocRow): DocEntry<T> {
  return { key: row.key, doc: JSON.parse(row.doc) as T };
}
