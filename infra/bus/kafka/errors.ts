/**
 * The Kafka bus's own errors. The EventBus port defines none yet, so these are plain errors with a
 * stable `name`; each says which setting to look at, so an operator can act on the message alone.
 */

/** A setting is malformed, or Kafka cannot be reached with it at start-up. Not worth retrying. */
export class BusConfigurationError extends Error {
  constructor(
    /** The environment variable the composition root reads it from, e.g. `KAFKA_BROKERS`. */
    readonly setting: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'BusConfigurationError';
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Kafka did not accept a batch (or a consumer could not join) in time: nothing in the batch may be
 * taken as published. The caller publishes the same batch again later; consumers dedupe by eventId.
 */
export class BusUnavailableError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message);
    this.name = 'BusUnavailableError';
    if (cause !== undefined) this.cause = cause;
  }
}

/** publish/subscribe on a bus that is closing or closed. */
export class BusClosedError extends Error {
  constructor(what: string) {
    super(`${what}: the Kafka event bus is closed`);
    this.name = 'BusClosedError';
  }
}

export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  // kafkajs wraps the real cause (ECONNREFUSED, a broker error code) in "retries exceeded" errors.
  const cause =
    'originalError' in error && error.originalError instanceof Error ? error.originalError : undefined;
  return cause !== undefined && cause.message !== error.message
    ? `${error.message} (${cause.message})`
    : error.message;
};
