import { z } from 'zod';
import { SCHEMA_NAME_PATTERN } from './store-names';

export const PostgresEventStoreOptionsSchema = z.object({
  /** postgres://user:password@host:port/database */
  connectionString: z.string().min(1),
  /** Connections for reads and the writer (the LISTEN connection comes on top). */
  poolSize: z.number().int().min(2).default(10),
  /** Schema of the store's tables; several stores can share a database under different schemas. */
  schema: z.string().regex(SCHEMA_NAME_PATTERN).default('event_store'),
  /** Most appends written in one transaction (group commit). */
  maxBatch: z.number().int().positive().default(500),
  /** Fallback poll of live subscriptions, should a notification be lost. */
  pollMs: z.number().int().positive().default(1000),
  connectTimeoutMs: z.number().int().positive().default(5000),
  /** How long a subscription keeps retrying reads while PostgreSQL is away before it reports an error. */
  subscriptionRetryMs: z.number().int().nonnegative().default(60_000),
  /** The configuration setting that holds the connection string, named in start-up errors. */
  settingName: z.string().min(1).default('EVENT_STORE_URL'),
  /** Shows in pg_stat_activity; the listening connection gets ":listen" appended. */
  applicationName: z.string().min(1).max(50).default('confer-event-store'),
});

export type PostgresEventStoreOptions = z.input<typeof PostgresEventStoreOptionsSchema>;
export type ResolvedOptions = z.output<typeof PostgresEventStoreOptionsSchema>;

/** The connection string as it may appear in an error message: without its password. */
export function redactedTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable connection string)';
  }
}
