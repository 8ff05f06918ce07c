import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { BusSubscribeOptions, BusSubscription } from '../../../domain/ports/event-bus';
import type { StoredEvent } from '../../../domain/shared/envelope';
import type { KafkaBusStats } from './bus-stats';
import type { DeadLetterQueue } from './dead-letter';
import { BusUnavailableError, describeError } from './errors';
import type { KafkaBusConfig, ParkedMessageInfo } from './kafka-bus-options';
import type { BusLogger } from './kafka-log';
import { pinStartOffsets } from './pin-start-offsets';
import { decodeMessage } from './poison';
import { handlerOfTypes, wantedTypes } from '../event-type-filter';
import { Header } from './message-codec';

export interface GroupConsumerContext {
  kafka: Kafka;
  config: KafkaBusConfig;
  deadLetters: DeadLetterQueue;
  stats: KafkaBusStats;
  logger: BusLogger;
}

/** What a gathering group's fetch waits for (unless its gatherMs passes first). */
const GATHER_BYTES = 64 * 1024;

interface Decoded {
  event: StoredEvent;
  message: KafkaMessage;
}

/**
 * One member of a consumer group. Each partition's messages are handled in offset order (so each
 * meeting's events in order); an offset is committed only after the handler resolved for it, or
 * after the message was parked on the dead-letter topic: at-least-once, and nothing blocks a
 * partition. subscribe() resolves once the member has joined and fetched (its start offsets are
 * fixed), so an event published after that reaches the group even with fromBeginning: false;
 * such a group's start is pinned as real offsets (pin-start-offsets.ts), so restarts lose nothing.
 */
export async function startGroupConsumer(
  context: GroupConsumerContext,
  options: BusSubscribeOptions,
): Promise<BusSubscription> {
  const { group, fromBeginning = false, gatherMs } = options;
  const wanted = wantedTypes(options);
  const handler = handlerOfTypes(options.handler, wanted);
  const { kafka, config, deadLetters, stats, logger } = context;
  const { topic } = config;
  const stopping = new AbortController();
  const stopped = new Promise<'stopped'>((resolve) =>
    stopping.signal.addEventListener('abort', () => resolve('stopped'), { once: true }),
  );

  const consumer = kafka.consumer({
    groupId: group,
    allowAutoTopicCreation: false,
    // A fetch answers as soon as there is one byte, or waits for GATHER_BYTES (at most gatherMs)
    // in a group that said it can wait: each fetch costs the event loop about as much as a few
    // dozen events, and an answer per produced batch is one fetch per batch per group.
    ...(gatherMs === undefined
      ? { maxWaitTimeInMs: config.maxWaitTimeMs }
      : { maxWaitTimeInMs: gatherMs, minBytes: GATHER_BYTES }),
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: Math.min(3_000, Math.floor(config.sessionTimeoutMs / 3)),
    // A crash (broker gone, coordinator moved) restarts the member until it is closed.
    retry: { retries: 5, restartOnFailure: async () => !stopping.signal.aborted },
  });

  /**
   * The last offset resolved per partition, for the commit at close (interval commits only):
   * kafkajs keeps its own, but offers no way to commit them outside eachBatch.
   */
  const resolved = new Map<number, string>();
  const resolve = (payload: EachBatchPayload, offset: string): void => {
    payload.resolveOffset(offset);
    resolved.set(payload.batch.partition, offset);
  };

  const info = (message: KafkaMessage, partition: number, detail: string): ParkedMessageInfo => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    group,
    detail,
  });

  /**
   * Calls the handler until it resolves or `retries` run out; false when the member is stopping.
   * A chunk that still fails is retried one event at a time (one attempt each: transient failures
   * had their retries), so only the events the handler really cannot take are parked.
   */
  async function deliver(
    items: readonly Decoded[],
    payload: EachBatchPayload,
    retries = config.handlerRetry.retries,
  ): Promise<boolean> {
    const last = items.at(-1);
    if (last === undefined) return true;
    const { partition } = payload.batch;
    const { initialDelayMs, maxDelayMs } = config.handlerRetry;
    for (let attempt = 0; ; attempt += 1) {
      if (!payload.isRunning() || stopping.signal.aborted) return false;
      const run = Promise.resolve().then(() => handler(items.map((i) => i.event)));
      run.catch(() => undefined); // still awaited below unless the member stops first
      try {
        if ((await Promise.race([run, stopped])) === 'stopped') return false;
        resolve(payload, last.message.offset);
        stats.delivered += items.length;
        await payload.heartbeat(); // throttled by kafkajs; keeps a long batch from costing the membership
        return true;
      } catch (error) {
        if (attempt < retries) {
          stats.handlerRetries += 1;
          const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
          logger.warn(
            { group, topic, partition, attempt: attempt + 1, retryInMs: delay, err: error },
            'event handler failed; retrying',
          );
          const slept = await sleep(delay, undefined, { signal: stopping.signal }).then(
            () => true,
            () => false,
          );
          if (!slept) return false;
          await payload.heartbeat();
          continue;
        }
        if (items.length > 1) {
          for (const item of items) if (!(await deliver([item], payload, 0))) return false;
          return true;
        }
        await giveUpOn(last, partition, error);
        resolve(payload, last.message.offset);
        return true;
      }
    }
  }

  /** Parks an event its handler kept failing on. */
  async function giveUpOn(item: Decoded, partition: number, error: unknown): Promise<void> {
    const detail = `the handler of group ${group} kept failing on this event: ${describeError(error)}`;
    await deadLetters.park([
      { message: item.message, sourceTopic: topic, partition, group, reason: 'handler-failed', detail },
    ]);
    stats.handlerGaveUp += 1;
    stats.parked += 1;
    logger.error(
      { group, topic, partition, offset: item.message.offset, eventId: item.event.eventId, err: error },
      'event handler kept failing; the event was parked on the dead-letter topic',
    );
    config.onHandlerGaveUp?.(error, [item.event], info(item.message, partition, detail));
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    let pending: Decoded[] = [];
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || stopping.signal.aborted) return;
      // A type this group did not ask for is passed by unparsed (most of the stream is chat).
      if (wanted && !wantsMessage(wanted, message)) continue;
      const decoded = decodeMessage(message.value, config.checkEvent);
      if (decoded.ok) {
        pending.push({ event: decoded.event, message });
        if (pending.length >= config.maxHandlerBatch) {
          if (!(await deliver(pending, payload))) return;
          pending = [];
        }
        continue;
      }
      // Events before the poison go first, so the partition's order holds around it.
      if (!(await deliver(pending, payload))) return;
      pending = [];
      await deadLetters.park([
        { message, sourceTopic: topic, partition: batch.partition, group, ...decoded },
      ]);
      stats.poison[decoded.reason] += 1;
      stats.parked += 1;
      resolve(payload, message.offset);
      const parked = info(message, batch.partition, decoded.detail);
      logger.warn({ ...parked, reason: decoded.reason }, 'poison message parked on the dead-letter topic');
      config.onPoison?.(decoded.reason, parked);
    }
    if (!(await deliver(pending, payload))) return;
    // Messages passed by after the last one handled count as handled too.
    const last = batch.messages.at(-1);
    if (wanted && last && resolved.get(batch.partition) !== last.offset) resolve(payload, last.offset);
    // kafkajs's own commit after each batch is off (autoCommit: false below) when an interval is
    // set: this commits what was resolved once the interval has passed since the last commit.
    if (config.commitIntervalMs > 0) await payload.commitOffsetsIfNecessary();
  }

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopping.signal.aborted) return; // kafkajs restarts it (and logs)
    logger.error(
      { group, topic, err: payload.error },
      'Kafka consumer crashed with an error kafkajs does not retry: this group receives nothing more until it is subscribed again',
    );
  });

  const ready = new Promise<void>((resolve) => {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // A member with no partition never fetches: it is ready once it has joined.
      if ((payload.memberAssignment[topic] ?? []).length === 0) resolve();
    });
    consumer.on(consumer.events.FETCH, () => resolve());
  });

  const giveUp = async (what: string, error?: unknown): Promise<never> => {
    stopping.abort();
    await consumer.disconnect().catch(() => undefined);
    const cause = error === undefined ? '' : `: ${describeError(error)}`;
    throw new BusUnavailableError(
      `Kafka consumer group ${group} on ${topic} (KAFKA_BROKERS=${config.brokers.join(',')}) ${what}${cause}`,
      error,
    );
  };

  try {
    if (!fromBeginning) await pinStartOffsets(kafka, group, topic);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    // Commits only what eachBatch resolved (eachBatchAutoResolve is off, so nothing unhandled is
    // ever resolved): after each batch (interval 0, kafkajs's autoCommit) or at most every
    // commitIntervalMs (eachBatch asks) and at close.
    const interval = config.commitIntervalMs;
    await consumer.run({
      eachBatchAutoResolve: false,
      autoCommit: interval === 0,
      ...(interval > 0 ? { autoCommitInterval: interval } : {}),
      eachBatch,
    });
  } catch (error) {
    return giveUp('could not start', error);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), config.subscribeTimeoutMs);
  });
  const outcome = await Promise.race([ready, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') return giveUp(`did not join and fetch within ${config.subscribeTimeoutMs} ms`);

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        stopping.abort();
        // What was handled since the last interval commit is committed before leaving, so a
        // graceful restart redelivers nothing. A rebalance may have moved a partition away
        // meanwhile: the coordinator refuses such a commit (stale generation), which only means
        // redelivery to the new owner, as after a crash.
        if (config.commitIntervalMs > 0 && resolved.size > 0) {
          const offsets = [...resolved].map(([partition, offset]) => ({
            topic,
            partition,
            offset: (BigInt(offset) + 1n).toString(),
          }));
          resolved.clear();
          await consumer
            .commitOffsets(offsets)
            .catch((error: unknown) =>
              logger.warn(
                { group, topic, err: error },
                'committing offsets at close failed; they will be redelivered',
              ),
            );
        }
        // Leaves the group after the batch in hand stops (kafkajs commits first when autoCommit is on).
        await consumer.disconnect();
      })();
      return closing;
    },
  };
}

/**
 * Whether a group that wants only `wanted` types must read this message: its `event-type` header
 * says which it is. A message without one (another producer's) is read, and filtered once parsed.
 */
function wantsMessage(wanted: ReadonlySet<string>, message: KafkaMessage): boolean {
  const header = message.headers?.[Header.eventType];
  if (header === undefined || Array.isArray(header)) return true;
  return wanted.has(typeof header === 'string' ? header : header.toString('utf8'));
}
