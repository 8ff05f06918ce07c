import pg from 'pg';
import { StoreUnavailableError } from '../../domain/ports/event-store';
import type { ProjectionStore, ProjectionWriter } from '../../domain/ports/projection-store';
import { docReader, docStatements, type RunStatement } from './postgres/doc-statements';
import { PgErrorTranslator } from './postgres/errors';
import { docsTables, migrateDocsSchema } from './postgres/migrations';
import {
  PostgresProjectionStoreOptionsSchema,
  type PostgresProjectionStoreOptions,
} from './postgres/options';
import { PostgresTransactionWriter } from './postgres/transaction-writer';

export type { PostgresProjectionStoreOptions } from './postgres/options';

/**
 * Read models in PostgreSQL, shared by every node of a deployment: one table of JSON documents
 * keyed by (collection, partition, key), in a schema of its own, migrated at start.
 *
 * Like the SQLite store, one store runs its transactions one after another (queued), each on one
 * pooled connection, so a projection runner never races itself; reads outside a transaction use
 * the other connections and see committed data only. Several nodes writing at once are made safe
 * by the transactions themselves (READ COMMITTED with reads for update: see
 * postgres/transaction-writer.ts).
 *
 * Errors: PostgreSQL unreachable, restarting or shutting down, and races lost to another node,
 * become the port's StoreUnavailableError (retry later), naming the setting that holds the
 * connection string; an error thrown by a transaction's work comes out unchanged.
 */
export async function createPostgresProjectionStore(
  input: PostgresProjectionStoreOptions,
): Promise<ProjectionStore> {
  const options = PostgresProjectionStoreOptionsSchema.parse(input);
  const tables = docsTables(options.schema);
  const stmts = docStatements(tables);
  const errors = new PgErrorTranslator(options.settingName, options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    application_name: options.applicationName,
    options: `-c lock_timeout=${options.lockTimeoutMs} -c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs}`,
  });
  // An idle connection the server closed (restart, failover) is dropped by the pool and the next
  // query opens a new one. Without a listener this event would crash the process.
  pool.on('error', () => undefined);

  try {
    const client = await pool.connect();
    try {
      await migrateDocsSchema(client, tables);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw errors.startFailed(error);
  }

  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new StoreUnavailableError('Projection store is closed');
  };
  const runOnPool: RunStatement = async <R extends object>(
    statement: { name: string; text: string },
    values: unknown[],
  ) => {
    try {
      return (await pool.query<R & pg.QueryResultRow>({ ...statement, values })).rows;
    } catch (error) {
      throw errors.translate(statement.name, error);
    }
  };
  const committedReads = docReader(stmts, runOnPool, assertOpen);

  async function runTransaction<T>(work: (tx: ProjectionWriter) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw errors.translate('connect', error);
    }
    // The connection may break while the work awaits something else: node-postgres then emits
    // 'error' on the client, which must be listened to, and the client must not go back to the pool.
    let broken = false;
    const onError = () => void (broken = true);
    client.on('error', onError);
    const sql = async (text: string) => {
      try {
        return await client.query(text);
      } catch (error) {
        throw errors.translate(text, error);
      }
    };
    const tx = new PostgresTransactionWriter(client, stmts, errors);
    try {
      await sql('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work(tx);
      await tx.flush();
      tx.finish();
      const committed = await sql('COMMIT');
      // COMMIT of a transaction in which a statement failed (and the work carried on) rolls back.
      if (committed.command !== 'COMMIT') {
        throw new Error(
          'PostgreSQL projection store: the transaction was rolled back (a statement in it failed)',
        );
      }
      return result;
    } catch (error) {
      tx.finish();
      // The work's own error is the one worth reporting; a failed ROLLBACK means a dead connection.
      await client.query('ROLLBACK').catch(() => void (broken = true));
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
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
      // Transactions already queued still run; new ones and reads are refused.
      closed = true;
      await tail;
      await pool.end();
    },
  };
}
