import pg from 'pg';

/**
 * SQLSTATE classes that mean "the server is going away, restarting, overloaded or the transaction
 * lost a race": the same request can succeed later. 08 connection exception, 40 transaction
 * rollback (serialization failure, deadlock), 53 insufficient resources, 57 operator intervention
 * (admin/crash shutdown, cannot connect now, query canceled), 58 system error (I/O).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/** lock_timeout expired: the write lock stayed busy (another node's writer stalled). */
const LOCK_NOT_AVAILABLE = '55P03';

/** Races between nodes that a retry of the whole batch resolves (it then sees the winner's rows). */
const RACE_SQLSTATES = new Set([
  '23505', // unique_violation: another node created the same stream or event id first
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

export function isRaceBetweenNodes(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.code !== undefined && RACE_SQLSTATES.has(error.code);
}

/**
 * True when the error says nothing about the request itself, only that PostgreSQL could not be
 * reached or answered: a dropped socket, a refused connection, a timeout, a shutdown.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    if (error.code === LOCK_NOT_AVAILABLE) return true;
    return error.code !== undefined && TRANSIENT_SQLSTATE_CLASSES.has(error.code.slice(0, 2));
  }
  if (!(error instanceof Error)) return false;
  // Node's socket errors (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ENOTFOUND...).
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('E')) return true;
  // node-postgres' own messages for a connection that ended or never came up.
  return /connection|terminated|timeout|not queryable|closed/i.test(error.message);
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code)
      ? `${code}: ${error.message}`
      : error.message;
  }
  return String(error);
}
