import { logLevel, type logCreator } from 'kafkajs';

/** The slice of a pino logger the bus uses: `logger.warn({ ...fields }, 'message')`. */
export interface BusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Without a logger only problems are printed, as one line each. */
export const consoleBusLogger: BusLogger = {
  debug() {},
  info() {},
  warn: (fields, message) => console.warn(`[kafka-bus] ${message}`, fields),
  error: (fields, message) => console.error(`[kafka-bus] ${message}`, fields),
};

/**
 * kafkajs warns about bounded retries on an idempotent producer because a give-up could leave its
 * sequence numbers ahead of the broker. The bus discards a producer after any failed send and
 * starts a new one (new producer id, sequences from 0), so the warning does not apply: demoted.
 */
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

/** kafkajs logs at WARN and above, forwarded to the bus's logger with kafkajs' namespace. */
export function kafkaLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      const entry = { ...fields, kafkaNamespace: namespace };
      if (level === logLevel.ERROR) logger.error(entry, `kafkajs: ${message}`);
      else if (level === logLevel.WARN) {
        if (EXPECTED_WARNINGS.some((w) => message.startsWith(w))) logger.debug(entry, `kafkajs: ${message}`);
        else logger.warn(entry, `kafkajs: ${message}`);
      } else if (level === logLevel.INFO) logger.info(entry, `kafkajs: ${message}`);
      else logger.debug(entry, `kafkajs: ${message}`);
    };
}

export const KAFKAJS_LOG_LEVEL = logLevel.WARN;
