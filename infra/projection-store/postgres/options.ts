import { z } from 'zod';

/** Unquoted-identifier style, short enough to leave room for derived names. */
export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

export const PostgresProjectionStoreOptionsSchema = z.object({
  /** postgres://user:password@host:port/database */
  connectionString: z.string().min(1),
  /** Connections: one runs the (queued) transactions, the others serve reads. */
  poolSize: z.number().int().min(2).default(10),
  /** Schema of the store's tables; several stores (environments, tests) can share a database. */
  schema: z.string().regex(SCHEMA_NAME_PATTERN).default('projections'),
  connectTimeoutMs: z.number().int().positive().default(5000),
  /**
   * How long a transaction waits for a document another node has locked before giving up with a
   * retryable error (a node frozen mid-transaction must not stall the others for ever).
   */
  lockTimeoutMs: z.number().int().positive().default(10_000),
  /** The server ends a transaction left idle this long (its node hung), releasing its locks. */
  idleInTransactionTimeoutMs: z.number().int().positive().default(60_000),
  /** The configuration setting that holds the connection string, named in errors. */
  settingName: z.string().min(1).default('PROJECTION_STORE_URL'),
  /** Shows in pg_stat_activity. */
  applicationName: z.string().min(1).max(50).default('confer-projections'),
});

export type PostgresProjectionStoreOptions = z.input<typeof PostgresProjectionStoreOptionsSchema>;
export type ResolvedProjectionStoreOptions = z.output<typeof PostgresProjectionStoreOptionsSchema>;

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
