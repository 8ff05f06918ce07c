import type { BusSubscribeOptions, BusSubscription, EventBus } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';
import { handlerOfTypes, wantedTypes } from './event-type-filter';

type Handler = BusSubscribeOptions['handler'];

/** One published batch waiting in one group's queue; `done` counts it off its publish() call. */
interface Queued {
  events: StoredEvent[];
  done: (() => void) | undefined;
}

/** A consumer group: its own queue and its own position in it, drained at its own pace. */
interface Group {
  name: string;
  handler: Handler | undefined;
  queue: Queued[];
  /** Events held while the group has no member (bounded by maxRetainedEvents). */
  retained: number;
  /** Set while a drain loop runs; resolves when the queue is empty or the member left. */
  draining: Promise<void> | undefined;
}

/**
 * The embedded bus. Each consumer group has its own queue, drained by its own loop, so a slow
 * group (a read model on a loaded PostgreSQL, the analytics pipeline) never delays another (the
 * signaling broadcast): a batch reaches a fast group as soon as that group is done with the
 * previous one, whatever the others are doing.
 *
 * publish() enqueues synchronously, in call order, for every group, and resolves once every group
 * that had a member has handled the batch. The forwarder advances its checkpoint only after that,
 * so a crash replays (at-least-once) rather than loses; it may keep several batches in flight to
 * let fast groups run ahead (see the forwarder's `maxInFlight`).
 *
 * A group whose member closed keeps its place: what is published meanwhile is kept (up to
 * `maxRetainedEvents`) and handed to the group's next member first, as Kafka would from its
 * committed offset. A closed bus rejects publish(), so no caller takes an undelivered batch as done.
 */
export function createInProcessEventBus(
  options: {
    onHandlerError?: (group: string, error: unknown) => void;
    maxRetainedEvents?: number;
    /**
     * At most this many events in one handler call when batches have queued up (default 250: a
     * read-model transaction holds SQLite's write lock for as long as it takes).
     */
    maxHandledEvents?: number;
  } = {},
): EventBus {
  const maxRetainedEvents = options.maxRetainedEvents ?? 100_000;
  const maxHandledEvents = options.maxHandledEvents ?? 250;
  const groups = new Map<string, Group>();
  let closed = false;

  async function drain(group: Group, handler: Handler): Promise<void> {
    while (group.handler === handler && group.queue.length > 0) {
      // Everything waiting goes in one call (up to a bound), in order: a group that fell behind
      // catches up in a few large batches (one read-model transaction, one hand-over to its
      // thread) rather than one small batch per publish.
      let taken = 1;
      let size = group.queue[0]!.events.length;
      while (taken < group.queue.length && size + group.queue[taken]!.events.length <= maxHandledEvents)
        size += group.queue[taken++]!.events.length;
      const batches = group.queue.slice(0, taken);
      try {
        await handler(taken === 1 ? batches[0]!.events : batches.flatMap((b) => b.events));
      } catch (error) {
        // A failing consumer must not stop the others nor its own later events; it is reported
        // and, being at-least-once, catches up from its own checkpoint when rebuilt or restarted.
        options.onHandlerError?.(group.name, error);
      }
      // The member left while handling: the batches stay queued for the next one (at-least-once).
      if (group.handler !== handler) return;
      group.queue.splice(0, taken);
      for (const batch of batches) batch.done?.();
    }
  }

  function kick(group: Group): void {
    const handler = group.handler;
    if (!handler || group.draining) return;
    group.draining = drain(group, handler).finally(() => {
      group.draining = undefined;
      // A new member (or new batches for this one) may have arrived as the loop ended.
      if (group.handler && group.queue.length > 0) kick(group);
    });
  }

  function retain(group: Group, events: StoredEvent[]): void {
    group.queue.push({ events, done: undefined });
    group.retained += events.length;
    if (group.retained > maxRetainedEvents) {
      // A group that never comes back must not hold memory forever: it is forgotten, loudly.
      groups.delete(group.name);
      options.onHandlerError?.(
        group.name,
        new Error(`group ${group.name} had no member for more than ${maxRetainedEvents} events; forgotten`),
      );
    }
  }

  return {
    publish(events) {
      if (closed) return Promise.reject(new Error('publish: the in-process event bus is closed'));
      if (events.length === 0) return Promise.resolve();
      const batch = [...events];
      const present = [...groups.values()].filter((g) => g.handler !== undefined);
      for (const group of groups.values()) if (!group.handler) retain(group, batch);
      if (present.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let waiting = present.length;
        const done = () => {
          if (--waiting === 0) resolve();
        };
        for (const group of present) {
          group.queue.push({ events: batch, done });
          kick(group);
        }
      });
    },
    async subscribe(options): Promise<BusSubscription> {
      const name = options.group;
      const handler = handlerOfTypes(options.handler, wantedTypes(options));
      if (closed) throw new Error('subscribe: the in-process event bus is closed');
      let group = groups.get(name);
      if (group?.handler) throw new Error(`Consumer group ${name} already subscribed on this in-process bus`);
      if (!group) {
        group = { name, handler: undefined, queue: [], retained: 0, draining: undefined };
        groups.set(name, group);
      }
      // A returning group first gets its backlog, already at the head of its queue, in order.
      group.handler = handler;
      group.retained = 0;
      kick(group);
      const joined = group;
      let open = true;
      return {
        async close() {
          if (!open) return;
          open = false;
          if (joined.handler !== handler) return;
          joined.handler = undefined;
          if (closed) return;
          // What is still queued waits for the next member; its publishers are not held hostage.
          for (const queued of joined.queue) {
            queued.done?.();
            queued.done = undefined;
            joined.retained += queued.events.length;
          }
        },
      };
    },
    async close() {
      closed = true;
      // Let every group finish what it was given, as the old single chain did.
      while ([...groups.values()].some((g) => g.draining)) {
        await Promise.all([...groups.values()].map((g) => g.draining));
      }
      groups.clear();
    },
  };
}
