import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type {
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../../domain/ports/event-store';
import { EventRejectedError, StoreUnavailableError } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import { startCatchUpSubscription } from './catch-up-subscription';
import type { AppendOutcome, AppendRequest } from './postgres/batch-plan';
import { writeBatch } from './postgres/batch-write';
import { startCommitListener } from './postgres/commit-listener';
import { EVENT_COLUMNS, toStoredEvent, type EventRow } from './postgres/event-rows';
import { migrate } from './postgres/migrations';
import {
  PostgresEventStoreOptionsSchema,
  redactedTarget,
  type PostgresEventStoreOptions,
} from './postgres/options';
import { describeError, isRaceBetweenNodes, isStoreUnavailable } from './postgres/pg-errors';
import { storeNames } from './postgres/store-names';

export type { PostgresEventStoreOptions } from './postgres/options';

interface PendingAppend extends AppendRequest {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A batch that lost a race with another node is retried this many times before giving up. */
const MAX_BATCH_ATTEMPTS = 5;

/**
 * The event store shared by several nodes, on PostgreSQL. Appends of concurrent commands are
 * grouped into one transaction (group commit), each caller answered once its batch is committed;
 * global positions become visible in order (see docs/event-store.md); live subscriptions are woken
 * by LISTEN/NOTIFY with a fallback poll. Migrates its schema at start. Rejects when PostgreSQL
 * cannot be reached, with an error naming the setting that holds the connection string.
 */
export async function createPostgresEventStore(input: PostgresEventStoreOptions): Promise<EventStore> {
  const options = PostgresEventStoreOptionsSchema.parse(input);
  const names = storeNames(options.schema);
  const connection: pg.ClientConfig = {
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    application_name: options.applicationName,
  };
  const pool = new pg.Pool({
    ...connection,
    max: options.poolSize,
    // The write lock is shared by every node: a writer that stalls mid-transaction (its process
    // frozen, its network gone) must not hold it for long, and nobody should wait on it forever.
    options: '-c idle_in_transaction_session_timeout=10000 -c lock_timeout=10000',
  });
  // An idle connection the server closed (restart, failover): the pool drops it and the next
  // query opens a new one. Without a listener this event would crash the process.
  pool.on('error', () => undefined);

  try {
    await withClient(pool, (client) => migrate(client, names));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreUnavailableError(
      `The event store could not start on PostgreSQL (${options.settingName}=${redactedTarget(
        options.connectionString,
      )}): ${describeError(error)}`,
      error,
    );
  }

  const listener = startCommitListener({
    client: { ...connection, application_name: `${options.applicationName}:listen` },
    channel: names.channel,
  });
  const subscriptions = new Set<Subscription>();
  const pending: PendingAppend[] = [];
  let writing: Promise<void> | undefined;
  let closed = false;

  async function query<R extends pg.QueryResultRow>(action: string, sql: string, params: unknown[]) {
    if (closed) throw new StoreUnavailableError('Event store is closed');
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw storeError(action, error);
    }
  }

  /** Writes one batch; races with other nodes are retried, a non-transient failure is isolated. */
  async function commit(batch: PendingAppend[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let outcomes: AppendOutcome[];
      try {
        outcomes = await withClient(pool, (client) => writeBatch(client, names, batch));
      } catch (error) {
        if (isRaceBetweenNodes(error) && attempt < MAX_BATCH_ATTEMPTS) continue;
        if (batch.length > 1 && !isStoreUnavailable(error) && !isRaceBetweenNodes(error)) {
          // One request broke the whole transaction: write each alone so it fails alone.
          for (const one of batch) await commit([one]);
          return;
        }
        const failure = storeError(`append to ${batch[0]!.streamId}`, error);
        for (const p of batch) p.reject(failure);
        return;
      }
      batch.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if ('ok' in outcome) p.resolve(outcome.ok);
        else p.reject(outcome.error);
      });
      listener.wakeAll();
      return;
    }
  }

  /** One batch in flight; what arrives meanwhile forms the next batch. */
  function scheduleWrite(): void {
    if (writing) return;
    writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        while (pending.length > 0) await commit(pending.splice(0, options.maxBatch));
      })
      .finally(() => {
        writing = undefined;
        if (pending.length > 0) scheduleWrite();
      });
  }

  async function readAll({ after, maxCount }: ReadAllOptions): Promise<StoredEvent[]> {
    const rows = await query<EventRow>(
      'read all',
      `SELECT ${EVENT_COLUMNS} FROM ${names.events} WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
      [after, maxCount],
    );
    return rows.map(toStoredEvent);
  }

  /** Subscriptions ride out a restart of PostgreSQL: reads are retried while it is away. */
  async function readAllPatiently(opts: ReadAllOptions): Promise<StoredEvent[]> {
    const since = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await readAll(opts);
      } catch (error) {
        const givingUp = Date.now() - since >= options.subscriptionRetryMs;
        if (closed || givingUp || !(error instanceof StoreUnavailableError)) throw error;
        await sleep(Math.min(50 * 2 ** attempt, 1000));
      }
    }
  }

  return {
    // One batch in flight at a time, taken in arrival order, and each request of a batch planned on
    // the ones before it (batch-plan.ts): appends handed in back to back are written in order.
    chainsAppends: true,
    append(streamId, events, { expectedRevision, expectedLastEventId }) {
      if (closed) return Promise.reject(new StoreUnavailableError('Event store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        pending.push({
          streamId,
          events,
          expected: expectedRevision,
          ...(expectedLastEventId === undefined ? {} : { expectedLastEventId }),
          resolve,
          reject,
        });
        scheduleWrite();
      });
    },

    async readStream(streamId: string, opts: ReadStreamOptions = {}) {
      const rows = await query<EventRow>(
        `read stream ${streamId}`,
        `SELECT ${EVENT_COLUMNS} FROM ${names.events}
         WHERE stream_id = $1 AND stream_revision >= $2 ORDER BY stream_revision LIMIT $3`,
        [streamId, opts.fromRevision ?? 0, opts.maxCount ?? null],
      );
      return rows.map(toStoredEvent);
    },

    readAll,

    subscribeToAll(opts: SubscribeOptions) {
      const inner = startCatchUpSubscription(
        { readAll: readAllPatiently, watch: listener.watch, pollMs: options.pollMs },
        opts,
      );
      const subscription: Subscription = {
        get position() {
          return inner.position;
        },
        async close() {
          subscriptions.delete(subscription);
          await inner.close();
        },
      };
      subscriptions.add(subscription);
      return subscription;
    },

    async headPosition() {
      const [row] = await query<{ head: string }>(
        'read head position',
        `SELECT coalesce(max(global_position), 0) AS head FROM ${names.events}`,
        [],
      );
      return Number(row?.head ?? 0);
    },

    async close() {
      if (closed) return;
      closed = true;
      while (writing) await writing;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * Borrows a connection; one that saw any error is discarded rather than reused. While borrowed,
 * a connection can report its loss between two queries as an 'error' event, which would crash the
 * process unheard: the next query fails with it anyway, so the event itself is ignored.
 */
async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let result: T;
  try {
    result = await work(client);
  } catch (error) {
    client.release(true);
    throw error;
  }
  client.off('error', ignore);
  client.release();
  return result;
}

/** PostgreSQL away or restarting: retryable. Anything else is a fault of ours, not of the caller. */
/** Callers see the code's own words; what PostgreSQL said stays in the cause, for the logs. */
function storeError(action: string, error: unknown): Error {
  if (error instanceof StoreUnavailableError || error instanceof EventRejectedError) return error;
  const detail = new Error(`PostgreSQL event store: ${action} failed: ${describeError(error)}`, {
    cause: error,
  });
  if (isStoreUnavailable(error) || isRaceBetweenNodes(error))
    return new StoreUnavailableError('The event store could not be reached; retry later', detail);
  // An append the database refused for a reason of its own (isolated from its batch-mates).
  if (action.startsWith('append')) return new EventRejectedError(detail);
  const failure = new ConferError('CONFER_INTERNAL');
  failure.cause = detail;
  return failure;
}
