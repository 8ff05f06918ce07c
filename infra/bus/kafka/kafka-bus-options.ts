import { z } from 'zod';
import type { StoredEvent } from '../../../domain/shared/envelope';
import { BusConfigurationError } from './errors';
import type { BusLogger } from './kafka-log';
import { checkMeetingEvent, type EventCheck, type PoisonReason } from './poison';

export const DEFAULT_TOPIC = 'confer.meeting-events.v1';

/** What an operator sees of a parked message (poison or given up on by a handler). */
export interface ParkedMessageInfo {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  group: string;
  detail: string;
}

export interface KafkaEventBusOptions {
  /** `host:port` of one or more brokers (KAFKA_BROKERS). */
  brokers: readonly string[];
  clientId: string;
  /** KAFKA_TOPIC; the dead-letter topic is `<topic>.dlq`. */
  topic?: string;
  /** KAFKA_PARTITIONS: used only when the topic is created. */
  partitions?: number;
  replicationFactor?: number;
  logger?: BusLogger;
  /** Decides whether a well-formed envelope is one this code can consume (default: meeting events). */
  checkEvent?: EventCheck;
  /** Called for every poison message parked on the dead-letter topic (wire it to a counter). */
  onPoison?: (reason: PoisonReason, message: ParkedMessageInfo) => void;
  /** Called when a handler kept failing and its events were parked on the dead-letter topic. */
  onHandlerGaveUp?: (error: unknown, events: readonly StoredEvent[], message: ParkedMessageInfo) => void;
  /** Per attempt to reach a broker. Start-up fails after `startupRetries` more attempts. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  startupRetries?: number;
  /** Hard bound on start-up (connect, create topics), whatever the broker does. */
  startupTimeoutMs?: number;
  /** How often one publish retries inside kafkajs before it rejects with BusUnavailableError. */
  publishRetries?: number;
  /** Transient handler failures are retried with exponential backoff, then the events are parked. */
  handlerRetry?: { retries: number; initialDelayMs: number; maxDelayMs: number };
  /** Most events handed to a handler in one call. */
  maxHandlerBatch?: number;
  /** Broker-side long poll of an idle consumer. */
  maxWaitTimeMs?: number;
  /**
   * A consumer group commits what it handled at most this often (and when it closes); 0 commits
   * after every batch, kafkajs's default, which puts a round trip to the group coordinator
   * between each batch and the next fetch. A crash redelivers up to this much (consumers
   * deduplicate: at-least-once either way).
   */
  commitIntervalMs?: number;
  sessionTimeoutMs?: number;
  /** subscribe() rejects if the consumer has not joined its group and fetched within this time. */
  subscribeTimeoutMs?: number;
}

/** Kafka's rule for topic names (legal characters, at most 249), minus the 4 chars of ".dlq". */
const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]+$/, 'only letters, digits, ".", "_" and "-" are allowed')
  .max(245)
  .refine((t) => t !== '.' && t !== '..', 'may not be "." or ".."');

const brokerAddress = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[^\s:/[\]]+):\d{1,5}$/, 'expected host:port')
  .refine((address) => {
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'port must be 1-65535');

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const OptionsSchema = z.object({
  brokers: z.array(brokerAddress).min(1, 'at least one host:port is needed'),
  clientId: z.string().min(1),
  topic: topicName.default(DEFAULT_TOPIC),
  partitions: positiveInt.max(10_000).default(6),
  replicationFactor: positiveInt.default(1),
  connectionTimeoutMs: positiveInt.default(3_000),
  requestTimeoutMs: positiveInt.default(10_000),
  startupRetries: nonNegativeInt.default(2),
  startupTimeoutMs: positiveInt.default(20_000),
  publishRetries: nonNegativeInt.default(5),
  handlerRetry: z
    .object({ retries: nonNegativeInt, initialDelayMs: nonNegativeInt, maxDelayMs: nonNegativeInt })
    .default({ retries: 5, initialDelayMs: 200, maxDelayMs: 5_000 }),
  maxHandlerBatch: positiveInt.default(500),
  maxWaitTimeMs: positiveInt.default(250),
  commitIntervalMs: nonNegativeInt.max(60_000).default(1_000),
  // A member that crashed (broker gone) is only dropped from its group after this; its group's
  // rejoin waits for that, so it bounds recovery after an outage. Kafka's minimum is 6 s.
  sessionTimeoutMs: positiveInt.default(10_000),
  subscribeTimeoutMs: positiveInt.default(60_000),
});

/** The environment variable behind each option, for error messages (docs/kafka.md lists them). */
const SETTING_OF: Partial<Record<string, string>> = {
  brokers: 'KAFKA_BROKERS',
  topic: 'KAFKA_TOPIC',
  partitions: 'KAFKA_PARTITIONS',
};

export type KafkaBusConfig = z.infer<typeof OptionsSchema> & {
  logger: BusLogger | undefined;
  checkEvent: EventCheck;
  onPoison: KafkaEventBusOptions['onPoison'];
  onHandlerGaveUp: KafkaEventBusOptions['onHandlerGaveUp'];
};

/** Validates every option at once; the error names each bad setting. */
export function parseKafkaBusOptions(options: KafkaEventBusOptions): KafkaBusConfig {
  const { logger, checkEvent, onPoison, onHandlerGaveUp, ...plain } = options;
  const parsed = OptionsSchema.safeParse({ ...plain, brokers: [...plain.brokers] });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const [field, index] = issue.path;
      const setting = SETTING_OF[String(field)] ?? String(field);
      const value =
        field === 'brokers' && typeof index === 'number' ? ` (${JSON.stringify(plain.brokers[index])})` : '';
      return `${setting}${value}: ${issue.message}`;
    });
    const first = parsed.error.issues[0]?.path[0];
    throw new BusConfigurationError(
      SETTING_OF[String(first)] ?? String(first),
      `invalid Kafka bus configuration: ${problems.join('; ')}`,
    );
  }
  return { ...parsed.data, logger, checkEvent: checkEvent ?? checkMeetingEvent, onPoison, onHandlerGaveUp };
}
