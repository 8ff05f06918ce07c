import pg from 'pg';
import { StoreUnavailableError } from '../../../domain/ports/event-store';
import { redactedTarget } from './options';

/**
 * SQLSTATE classes that say nothing about the request, only that the server could not serve it
 * now: 08 connection exception, 40 transaction rollback (serialization failure, deadlock),
 * 53 insufficient resources, 57 operator intervention (shutdown, "starting up", canceled),
 * 58 system error (I/O).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
/** lock_timeout expired: another node held the document too long. */
const LOCK_NOT_AVAILABLE = '55P03';

/** node-postgres' own words for a connection that ended, broke or never came up. */
const DRIVER_CONNECTION_FAILURE =
  /connection terminated|not queryable|timeout exceeded when trying to connect|connection error|pool after calling end/i;

/** Contention between nodes (deadlock, serialization failure, lock timeout), not an outage. */
function isContention(error: unknown): boolean {
  return (
    error instanceof pg.DatabaseError &&
    (error.code === LOCK_NOT_AVAILABLE || (error.code ?? '').startsWith('40'))
  );
}

/** True when PostgreSQL could not be reached or answer: the same work can succeed later. */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    return code === LOCK_NOT_AVAILABLE || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  if (!(error instanceof Error)) return false;
  // Node's socket errors: ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, ENOTFOUND, …
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return DRIVER_CONNECTION_FAILURE.test(error.message);
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

/** Turns the driver's errors into the port's: "retry later" (naming the setting) or a plain failure. */
export class PgErrorTranslator {
  private readonly target: string;

  constructor(
    private readonly settingName: string,
    connectionString: string,
  ) {
    this.target = redactedTarget(connectionString);
  }

  unavailable(what: string, cause: unknown): StoreUnavailableError {
    return new StoreUnavailableError(
      `PostgreSQL projection store unavailable (${this.settingName}=${this.target}): ${what}: ${describeError(cause)}`,
      cause,
    );
  }

  /** Lost a race with another node: nothing is wrong with the server, and a retry will do. */
  contention(what: string, cause: unknown): StoreUnavailableError {
    return new StoreUnavailableError(`PostgreSQL projection store: ${what}: ${describeError(cause)}`, cause);
  }

  /** The store could not start: unreachable (retry later), or misconfigured (say which setting). */
  startFailed(error: unknown): Error {
    if (isUnavailable(error)) return this.unavailable('start', error);
    if (!(error instanceof pg.DatabaseError))
      return error instanceof Error ? error : new Error(String(error));
    return new Error(
      `PostgreSQL projection store could not start (${this.settingName}=${this.target}): ${describeError(error)}`,
      { cause: error },
    );
  }

  translate(what: string, error: unknown): Error {
    if (error instanceof StoreUnavailableError) return error;
    if (isContention(error)) return this.contention(what, error);
    if (isUnavailable(error)) return this.unavailable(what, error);
    // A request PostgreSQL refused for itself (a bug, a document it cannot store): not retryable.
    return new Error(`PostgreSQL projection store: ${what} failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}
