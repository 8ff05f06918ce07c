import pg from 'pg';
import type {
  Doc,
  DocEntry,
  ProjectionReader,
  ProjectionWriter,
  RangeOptions,
} from '../../../domain/ports/projection-store';
import { docReader, type DocStatements, type RunStatement } from './doc-statements';
import type { PgErrorTranslator } from './errors';

const UNIQUE_VIOLATION = '23505';

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
 */
export class PostgresTransactionWriter implements ProjectionWriter {
  private open = true;
  private readonly reads: ProjectionReader;
  /** Keys read as absent and not written since by this transaction. */
  private readonly readAsAbsent = new Set<string>();

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
    const [row] = await this.run<{ doc: string }>(this.stmts.getForUpdate, [collection, partition, key]);
    if (row) return JSON.parse(row.doc) as T;
    this.readAsAbsent.add(docId(collection, partition, key));
    return undefined;
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
    const id = docId(collection, partition, key);
    const values = [collection, partition, key, JSON.stringify(doc)];
    if (!this.readAsAbsent.has(id)) {
      await this.run(this.stmts.upsert, values);
      return;
    }
    try {
      await this.run(this.stmts.insert, values);
    } catch (error) {
      const cause = error instanceof Error ? error.cause : undefined;
      if (cause instanceof pg.DatabaseError && cause.code === UNIQUE_VIOLATION) {
        throw this.errors.contention(
          `another node created ${collection}/${partition}/${key} while this transaction used it (retry)`,
          cause,
        );
      }
      throw error;
    }
    this.readAsAbsent.delete(id);
  }

  async delete(collection: string, partition: string, key: string): Promise<void> {
    this.check();
    await this.run(this.stmts.delete, [collection, partition, key]);
  }

  async clear(collection: string): Promise<void> {
    this.check();
    await this.run(this.stmts.clear, [collection]);
  }
}

function docId(collection: string, partition: string, key: string): string {
  return JSON.stringify([collection, partition, key]);
}
