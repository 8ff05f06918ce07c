import type { BusSubscribeOptions, BusSubscription, EventBus } from '../../domain/ports/event-bus';
import type { StoredEvent } from '../../domain/shared/envelope';
import { handlerOfTypes, wantedTypes } from './event-type-filter';

export interface SharedSubscriptionOptions {
  /** The one group of the underlying bus that carries every shared group's events. */
  group: string;
  /** Which subscriptions ride on the shared one; the others go to the bus as they are. */
  shares(options: BusSubscribeOptions): boolean;
}

interface Member {
  group: string;
  handler: BusSubscribeOptions['handler'];
  /**
   * Events this member has handled. The underlying bus retries a batch when any member failed
   * (and then one event at a time): the members that succeeded are not handed it again. The
   * retried events are the same objects, so identity is enough, and weak references keep nothing.
   */
  handled: WeakSet<StoredEvent>;
}

/**
 * Several consumer groups served by one subscription of the underlying bus: each batch is
 * fetched and decoded once, then handed to every member at the same time. On Kafka every group
 * is a consumer of its own that fetches and decodes the whole topic on the server's event loop,
 * so the groups that only serve this node (its sockets, its transports, its captures) share one.
 *
 * What each member sees is what its own group would have given it: every event, in each
 * meeting's order, at least once (a member that failed gets the batch again; the others do not).
 * The price is the shared pace: the next batch waits for the slowest member of this one. Only
 * groups whose handlers are quick and never wait on other services should share.
 *
 * Only subscriptions without `fromBeginning` may share: a member that joins later starts from
 * where the shared group stands, not from the start of the log.
 */
export function shareSubscriptions(bus: EventBus, options: SharedSubscriptionOptions): EventBus {
  const members = new Set<Member>();
  let shared: Promise<BusSubscription> | undefined;

  async function fanOut(events: StoredEvent[]): Promise<void> {
    const failures: unknown[] = [];
    await Promise.all(
      [...members].map(async (member) => {
        const todo = events.filter((event) => !member.handled.has(event));
        if (todo.length === 0) return;
        try {
          await member.handler(todo);
          for (const event of todo) member.handled.add(event);
        } catch (error) {
          failures.push(error);
        }
      }),
    );
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} shared groups failed`);
  }

  async function leave(member: Member): Promise<void> {
    if (!members.delete(member) || members.size > 0) return;
    const subscription = shared;
    shared = undefined;
    await (await subscription)?.close();
  }

  return {
    publish: (events) => bus.publish(events),
    async subscribe(subscribeOptions) {
      if (!options.shares(subscribeOptions)) return bus.subscribe(subscribeOptions);
      if (subscribeOptions.fromBeginning) {
        throw new Error(
          `group ${subscribeOptions.group} reads from the beginning and cannot share ${options.group}`,
        );
      }
      const member: Member = {
        group: subscribeOptions.group,
        handler: handlerOfTypes(subscribeOptions.handler, wantedTypes(subscribeOptions)),
        handled: new WeakSet(),
      };
      members.add(member);
      shared ??= bus.subscribe({ group: options.group, handler: fanOut });
      try {
        await shared;
      } catch (error) {
        shared = undefined;
        members.delete(member);
        throw error;
      }
      let closing: Promise<void> | undefined;
      return { close: () => (closing ??= leave(member)) };
    },
    close: () => bus.close(),
  };
}
