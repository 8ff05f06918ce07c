import type { StoredEvent } from '../shared/envelope';

/**
 * Carries committed events to consumers, keyed (and so ordered) by meeting id. At-least-once:
 * consumers deduplicate by eventId (or by stream revision, which is per meeting and monotonic).
 */
export interface EventBus {
  /** Resolves once the bus has accepted the batch (in-process: delivered; Kafka: acknowledged). */
  publish(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Every consumer group receives every event once per group; several members of one group
   * share the meetings between them. `fromBeginning` only matters for a group with no offsets yet.
   */
  subscribe(options: BusSubscribeOptions): Promise<BusSubscription>;
  close(): Promise<void>;
}

export interface BusSubscribeOptions {
  group: string;
  handler(events: StoredEvent[]): Promise<void>;
  fromBeginning?: boolean;
  /**
   * How long an event may wait before this group is handed it, so that the bus can gather more
   * per delivery (Kafka: a fetch waits for 64 KiB or this long). For groups nobody is waiting on
   * (audit checkpoints, the recording pipeline); absent, an event is handed over at once.
   */
  gatherMs?: number;
  /**
   * Only events of these types are handed to this group; the others pass it by (their positions
   * count as handled). Kafka recognises them by the message's `event-type` header, without parsing
   * the message. For groups that act on a few types among the many a meeting makes (a chat a
   * second per meeting is most of the stream); absent, the group gets every event.
   */
  types?: readonly string[];
}

export interface BusSubscription {
  close(): Promise<void>;
}
