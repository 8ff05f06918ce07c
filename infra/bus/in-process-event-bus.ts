import type { BusSubscribeOptions, BusSubscription, EventBus } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';

/**
 * The embedded bus: delivers each published batch to every consumer group in this process and
 * resolves publish() once all of them have handled it. The forwarder advances its checkpoint only
 * after that, so a crash replays (at-least-once) rather than loses. One member per group here.
 * Batches are delivered one after another, so per-meeting (indeed global) order holds.
 *
 * A group whose member closed keeps its place: what is published meanwhile is kept (up to
 * `maxRetainedEvents`) and handed to the group's next member first, as Kafka would from its
 * committed offset. A closed bus rejects publish(), so no caller takes an undelivered batch as done.
 */
export function createInProcessEventBus(
  options: { onHandlerError?: (group: string, error: unknown) => void; maxRetainedEvents?: number } = {},
): EventBus {
  const maxRetainedEvents = options.maxRetainedEvents ?? 100_000;
  const groups = new Map<string, BusSubscribeOptions['handler']>();
  /** Groups without a member: the events they missed, in order. */
  const absent = new Map<string, StoredEvent[]>();
  /** Returning groups whose backlog is queued for delivery. */
  const joining = new Set<string>();
  let tail: Promise<void> = Promise.resolve();
  let closed = false;

  async function deliverTo(group: string, handler: BusSubscribeOptions['handler'], events: StoredEvent[]) {
    try {
      await handler(events);
    } catch (error) {
      // A failing consumer must not stop the others; it is reported and, being at-least-once,
      // catches up from its own checkpoint when it is rebuilt or restarted.
      options.onHandlerError?.(group, error);
    }
  }

  async function deliver(events: StoredEvent[]): Promise<void> {
    for (const [group, missed] of absent) {
      missed.push(...events);
      if (missed.length > maxRetainedEvents) {
        // A group that never comes back must not hold memory forever: it is forgotten, loudly.
        absent.delete(group);
        options.onHandlerError?.(
          group,
          new Error(`group ${group} had no member for more than ${maxRetainedEvents} events; forgotten`),
        );
      }
    }
    await Promise.all([...groups].map(([group, handler]) => deliverTo(group, handler, events)));
  }

  return {
    publish(events) {
      if (closed) return Promise.reject(new Error('publish: the in-process event bus is closed'));
      if (events.length === 0) return Promise.resolve();
      const batch = [...events];
      tail = tail.then(() => deliver(batch));
      return tail;
    },
    async subscribe({ group, handler }): Promise<BusSubscription> {
      if (closed) throw new Error('subscribe: the in-process event bus is closed');
      if (groups.has(group) || joining.has(group)) {
        throw new Error(`Consumer group ${group} already subscribed on this in-process bus`);
      }
      let open = true;
      if (!absent.has(group)) groups.set(group, handler);
      else {
        // A returning group joins in the delivery chain: batches queued before this call are still
        // kept for it, then handed over with the backlog, ahead of anything published later.
        joining.add(group);
        tail = tail.then(() => {
          joining.delete(group);
          if (!open) return; // closed before it joined: the group stays absent, backlog kept
          const missed = absent.get(group) ?? [];
          absent.delete(group);
          groups.set(group, handler);
          if (missed.length > 0) return deliverTo(group, handler, missed);
        });
      }
      return {
        async close() {
          if (!open) return;
          open = false;
          if (groups.get(group) !== handler) return; // never joined: its backlog stays absent
          groups.delete(group);
          if (!closed) absent.set(group, []);
        },
      };
    },
    async close() {
      closed = true;
      await tail;
      groups.clear();
      absent.clear();
    },
  };
}
