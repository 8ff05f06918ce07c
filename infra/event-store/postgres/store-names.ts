import { createHash } from 'node:crypto';

/**
 * Every name the PostgreSQL event store uses, derived from its schema name, so that several stores
 * (one per test, or per environment) can share one database without seeing each other.
 * The schema name is validated by the options schema, so quoting it is enough.
 */
export interface StoreNames {
  schema: string;
  events: string;
  streams: string;
  migrations: string;
  /** LISTEN/NOTIFY channel woken by every commit. */
  channel: string;
  /** Transaction-scoped advisory lock held by the one writing transaction (see docs/event-store.md). */
  writeLockKey: string;
  /** Session advisory lock around migrations, so nodes starting together migrate one at a time. */
  migrationLockKey: string;
}

export const SCHEMA_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,47}$/;

export function storeNames(schema: string): StoreNames {
  if (!SCHEMA_NAME_PATTERN.test(schema)) throw new Error(`Invalid event store schema name: ${schema}`);
  const q = (name: string): string => `"${schema}"."${name}"`;
  return {
    schema: `"${schema}"`,
    events: q('events'),
    streams: q('streams'),
    migrations: q('schema_migrations'),
    channel: `${schema}_appended`,
    writeLockKey: advisoryLockKey(`confer:event-store:write:${schema}`),
    migrationLockKey: advisoryLockKey(`confer:event-store:migrations:${schema}`),
  };
}

/** A stable signed 64-bit key (as decimal text) for pg_advisory_*lock. */
function advisoryLockKey(purpose: string): string {
  const digest = createHash('sha256').update(purpose).digest();
  return digest.readBigInt64BE(0).toString();
}
