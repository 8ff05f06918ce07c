import pg from 'pg';
import type {
  Doc,
  DocEntry,
  DocRef,
  ProjectionReader,
  ProjectionWriter,
  RangeOptions,
} from '../../../domain/ports/projection-store';
import { docReader, refList, type DocStatements, type RunStatement } from './doc-statements';
import type { PgErrorTranslator } from './errors';

const UNIQUE_VIOLATION = '23505';

/** A write this transaction holds until it flushes: the document's text, or its deletion. */
interface PendingWrite {
  collection: string;
  partition: string;
  key: string;
  /** null: delete. */
  text: string | null;
  /** The document was read as absent: create it (and fail if another node did meanwhile). */
  create: boolean;
}

/**
 * The view of one open transaction (READ COMMITTED) on one pooled client. It refuses to be used
 * once the transaction has ended.
 *
 * Several nodes may write the same database at once, and their projection runners read documents
 * to modify them (checkpoints, counters, and the `_positions` document every batch of every node
 * updates). So a `get` in a transaction is a read for update:
 * - a document that exists is locked (`FOR UPDATE`) until commit; a second node reading it waits,
 *   then sees the committed version: no lost update;
 * - a document found absent cannot be locked; if this transaction then writes it, it inserts
 *   (no upsert), so a node that created it meanwhile makes the insert fail, and the batch fails
 *   with the port's retryable error instead of overwriting the other node's document.
 * `range` and `scan` do not lock: a projection that lists to modify must run alone (a rebuild) or
 * own its partition (one node projects a meeting at a time: its Kafka partition's consumer).
 * This costs one row lock per read, where SERIALIZABLE would abort and retry whole batches that
 * merely touch the same `_positions` row, which they all do.
 *
 * Round trips are what a batch costs (one query each: most of a projection node's CPU went to
 * writing them). So a document is read from the server once per transaction, and writes wait:
 * the transaction knows what it wrote, and `flush()` (before commit, or before a range, scan or
 * clear, which read the table itself) sends them all in at most three statements.
 */
export class PostgresTransactionWriter implements ProjectionWriter {
  private open = true;
  private readonly reads: ProjectionReader;
  /** What this transaction knows of a document (read or written): its text, or null when absent. */
  private readonly known = new Map<string, string | null>();
  /** Keys read as absent: a write of one creates it. */
  private readonly readAsAbsent = new Set<string>();
  private readonly pending = new Map<string, PendingWrite>();

  constructor(
    private readonly client: pg.ClientBase,
    private readonly stmts: DocStatements,
    private readonly errors: PgErrorTranslator,
  ) {
    this.reads = docReader(stmts, this.run, () => this.check());
  }

  finish(): void {
    this.open = false;
  }

  private check(): void {
    if (!this.open) throw new Error('This projection store transaction has already ended');
  }

  private readonly run: RunStatement = async <R extends object>(
    statement: { name: string; text: string },
    values: unknown[],
  ) => {
    try {
      return (await this.client.query<R & pg.QueryResultRow>({ ...statement, values })).rows;
    } catch (error) {
      throw this.errors.translate(statement.name, error);
    }
  };

  async get<T extends Doc = Doc>(collection: string, partition: string, key: string): Promise<T | undefined> {
    this.check();
    const id = docId(collection, partition, key);
    // Parsed anew each time, so that a caller changing what it got cannot change what is known.
    if (this.known.has(id)) {
      const text = this.known.get(id);
      return text == null ? undefined : (JSON.parse(text) as T);
    }
    const [row] = await this.run<{ doc: string }>(this.stmts.getForUpdate, [collection, partition, key]);
    this.known.set(id, row?.doc ?? null);
    if (row) return JSON.parse(row.doc) as T;
    this.readAsAbsent.add(id);
    return undefined;
  }

  /** Like get, for many: what the transaction does not know yet is read (and locked) in one statement. */
  async getMany<T extends Doc = Doc>(refs: readonly DocRef[]): Promise<Array<T | undefined>> {
    this.check();
    const ids = refs.map((r) => docId(r.collection, r.partition, r.key));
    const unknown = [...new Map(refs.map((r, i) => [ids[i]!, r])).entries()].filter(
      ([id]) => !this.known.has(id),
    );
    if (unknown.length > 0) {
      const asked = unknown.map(([, ref]) => ref);
      const rows = await this.run<{ i: number; doc: string }>(this.stmts.getManyForUpdate, [refList(asked)]);
      for (const [id] of unknown) this.known.set(id, null);
      for (const row of rows) this.known.set(unknown[row.i]![0], row.doc);
      for (const [id] of unknown) if (this.known.get(id) === null) this.readAsAbsent.add(id);
    }
    return ids.map((id) => {
      const text = this.known.get(id);
      return text == null ? undefined : (JSON.parse(text) as T);
    });
  }

  async range<T extends Doc = Doc>(
    collection: string,
    partition: string,
    opts: RangeOptions,
  ): Promise<DocEntry<T>[]> {
    await this.flush();
    return this.reads.range<T>(collection, partition, opts);
  }

  async scan<T extends Doc = Doc>(
    collection: string,
    opts: { limit: number; cursor?: string },
  ): Promise<DocEntry<T>[]> {
    await this.flush();
    return this.reads.scan<T>(collection, opts);
  }

  async put(collection: string, partition: string, key: string, doc: Doc): Promise<void> {
    this.check();
    const id = docId(collection, partition, key);
    const text = JSON.stringify(doc);
    this.known.set(id, text);
    const create = this.pending.get(id)?.create ?? this.readAsAbsent.has(id);
    this.pending.set(id, { collection, partition, key, text, create });
  }

  async delete(collection: string, partition: string, key: string): Promise<void> {
    this.check();
    const id = docId(collection, partition, key);
    this.known.set(id, null);
    // Created in this transaction only: there is nothing to delete on the server.
    if (this.pending.get(id)?.create) this.pending.delete(id);
    else this.pending.set(id, { collection, partition, key, text: null, create: false });
  }

  async clear(collection: string): Promise<void> {
    await this.flush();
    await this.run(this.stmts.clear, [collection]);
    const prefix = JSON.stringify([collection]).slice(0, -1);
    for (const id of [...this.known.keys()]) if (id.startsWith(`${prefix},`)) this.known.set(id, null);
  }

  /** Sends the writes held so far (the store calls it before COMMIT). */
  async flush(): Promise<void> {
    this.check();
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    this.pending.clear();
    const rows = (list: PendingWrite[]) =>
      JSON.stringify(list.map((w) => ({ c: w.collection, p: w.partition, k: w.key, d: w.text })));
    const deletes = writes.filter((w) => w.text === null);
    const updates = writes.filter((w) => w.text !== null && !w.create);
    const creates = writes.filter((w) => w.text !== null && w.create);
    if (deletes.length > 0) await this.run(this.stmts.deleteMany, [rows(deletes)]);
    if (updates.length > 0) await this.run(this.stmts.upsertMany, [rows(updates)]);
    if (creates.length === 0) return;
    try {
      await this.run(this.stmts.insertMany, [rows(creates)]);
    } catch (error) {
      const cause = error instanceof Error ? error.cause : undefined;
      if (cause instanceof pg.DatabaseError && cause.code === UNIQUE_VIOLATION) {
        throw this.errors.contention(
          `another node created a document this transaction read as absent (${cause.detail ?? 'retry'})`,
          cause,
        );
      }
      throw error;
    }
    for (const w of creates) this.readAsAbsent.delete(docId(w.collection, w.partition, w.key));
  }
}

function docId(collection: string, partition: string, key: string): string {
  return JSON.stringify([collection, partition, key]);
}
