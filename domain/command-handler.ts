import type { Clock } from './ports/clock';
import type { EventStore } from './ports/event-store';
import { RevisionConflictError } from './ports/event-store';
import type { Ids } from './ports/ids';
import type { Actor } from './shared/actor';
import type { StoredEvent } from './shared/envelope';
import { ConferError } from './shared/errors';
import { KeyedQueue } from './shared/keyed-queue';
import { Lru } from './shared/lru';

export interface DomainEvent {
  type: string;
  data: unknown;
}

export type Recorded<E extends DomainEvent> = E & { occurredAt: string; streamRevision: number };

export interface Decider<C, E extends DomainEvent, S> {
  initialState(): S;
  decide(command: C, state: S, actor: Actor): E[];
  evolve(state: S, event: Recorded<E>): S;
}

export interface CommandContext {
  actor: Actor;
  correlationId?: string;
  causationId?: string;
}

export interface CommandResult<S> {
  events: StoredEvent[];
  state: S;
  /** Revision of the stream's last event after the command (-1: the stream does not exist). */
  revision: number;
}

export interface CommandHandlerDeps<C, E extends DomainEvent, S> {
  store: EventStore;
  decider: Decider<C, E, S>;
  /** Stored event → current-version domain event (upcasting); undefined skips unknown types. */
  parse(stored: StoredEvent): E | undefined;
  schemaVersionOf(type: E['type']): number;
  streamIdOf(aggregateId: string): string;
  ids: Ids;
  clock: Clock;
  /** Aggregates whose state stays cached in memory between commands. */
  cacheSize?: number;
  /**
   * How long a command keeps retrying while writers on other nodes win the race for its stream,
   * before it is refused as CONFER_COMMAND_CONTENDED. A time rather than a count: a node that
   * writes back to back from a warm cache can win many races in a row (the loser must reload
   * between tries), so a count runs out within a burst, while a burst is over in a second or two.
   */
  contentionBudgetMs?: number;
}

/** Pauses between lost races: full jitter over a window that doubles from 4 ms up to 250 ms. */
const FIRST_PAUSE_WINDOW_MS = 4;
const LONGEST_PAUSE_WINDOW_MS = 250;

export interface Loaded<S> {
  state: S;
  revision: number;
}

/**
 * Load → decide → append with the expected revision → on conflict reload and decide again.
 * Commands for one aggregate are serialised in memory and its state cached, so the common case
 * costs one append; optimistic concurrency still guards against writers on other nodes.
 */
export function createCommandHandler<C, E extends DomainEvent, S>(deps: CommandHandlerDeps<C, E, S>) {
  const queue = new KeyedQueue();
  const cache = new Lru<string, Loaded<S>>(deps.cacheSize ?? 10_000);
  const contentionBudgetMs = deps.contentionBudgetMs ?? 5_000;

  async function loadFresh(streamId: string): Promise<Loaded<S>> {
    const stored = await deps.store.readStream(streamId);
    let state = deps.decider.initialState();
    let revision = -1;
    for (const event of stored) {
      revision = event.streamRevision;
      const parsed = deps.parse(event);
      if (parsed)
        state = deps.decider.evolve(state, {
          ...parsed,
          occurredAt: event.occurredAt,
          streamRevision: revision,
        });
    }
    return { state, revision };
  }

  async function loadCached(streamId: string): Promise<Loaded<S>> {
    const hit = cache.get(streamId);
    if (hit) return hit;
    const loaded = await loadFresh(streamId);
    cache.set(streamId, loaded);
    return loaded;
  }

  /** The cached state with whatever other writers appended since (usually nothing to read). */
  async function catchUp(streamId: string, cached: Loaded<S>): Promise<Loaded<S>> {
    const newer = await deps.store.readStream(streamId, { fromRevision: cached.revision + 1 });
    if (newer.length === 0) return cached;
    let { state, revision } = cached;
    for (const event of newer) {
      revision = event.streamRevision;
      const parsed = deps.parse(event);
      if (parsed)
        state = deps.decider.evolve(state, {
          ...parsed,
          occurredAt: event.occurredAt,
          streamRevision: revision,
        });
    }
    const loaded = { state, revision };
    cache.set(streamId, loaded);
    return loaded;
  }

  /**
   * Decides on the cached state. An append is guarded by its expected revision, but a refusal or a
   * no-op appends nothing, so nothing would notice that another node wrote since the state was
   * cached (a hand it raised, a participant it let in): those two outcomes are decided again on
   * the state caught up from the store before they are answered.
   */
  async function decideOnFreshState(
    streamId: string,
    command: C,
    actor: Actor,
  ): Promise<{ current: Loaded<S>; decided: E[] }> {
    const decide = (state: S): { events: E[] } | { error: unknown } => {
      try {
        return { events: deps.decider.decide(command, state, actor) };
      } catch (error) {
        return { error };
      }
    };
    const cached = await loadCached(streamId);
    let outcome = decide(cached.state);
    let current = cached;
    if (!('events' in outcome) || outcome.events.length === 0) {
      current = await catchUp(streamId, cached);
      if (current !== cached) outcome = decide(current.state);
    }
    if ('error' in outcome) throw outcome.error;
    return { current, decided: outcome.events };
  }

  async function attempt(
    aggregateId: string,
    command: C,
    context: CommandContext,
  ): Promise<CommandResult<S>> {
    const streamId = deps.streamIdOf(aggregateId);
    const { current, decided } = await decideOnFreshState(streamId, command, context.actor);
    if (decided.length === 0) return { events: [], state: current.state, revision: current.revision };

    const occurredAt = deps.clock.now().toISOString();
    const commandId = deps.ids.eventId();
    const correlationId = context.correlationId ?? commandId;
    const causationId = context.causationId ?? commandId;
    const result = await deps.store.append(
      streamId,
      decided.map((event) => ({
        eventId: deps.ids.eventId(),
        type: event.type,
        schemaVersion: deps.schemaVersionOf(event.type),
        data: event.data,
        metadata: { meetingId: aggregateId, occurredAt, actor: context.actor, correlationId, causationId },
      })),
      { expectedRevision: current.revision < 0 ? 'no_stream' : current.revision },
    );
    let state = current.state;
    decided.forEach((event, i) => {
      const streamRevision = result.events[i]?.streamRevision ?? current.revision + i + 1;
      state = deps.decider.evolve(state, { ...event, occurredAt, streamRevision });
    });
    const next = { state, revision: result.nextExpectedRevision };
    cache.set(streamId, next);
    return { events: result.events, ...next };
  }

  return {
    /** Decides and appends; resolves once the events are durable (or with a ConferError). */
    handle(aggregateId: string, command: C, context: CommandContext): Promise<CommandResult<S>> {
      const streamId = deps.streamIdOf(aggregateId);
      return queue.run(streamId, async () => {
        const giveUpAt = performance.now() + contentionBudgetMs;
        for (let lost = 0; ; lost++) {
          try {
            return await attempt(aggregateId, command, context);
          } catch (error) {
            // Anything but a conflict leaves the cache unsure of the stream: reload next time.
            cache.delete(streamId);
            if (!(error instanceof RevisionConflictError)) throw error;
            // Two writers racing on one stream: a random pause lets one of them through first,
            // and a growing one waits out a burst from the other.
            const window = Math.min(LONGEST_PAUSE_WINDOW_MS, FIRST_PAUSE_WINDOW_MS * 2 ** lost);
            const pause = Math.random() * window;
            if (performance.now() + pause > giveUpAt) throw new ConferError('CONFER_COMMAND_CONTENDED');
            await new Promise((resolve) => setTimeout(resolve, pause));
          }
        }
      });
    },

    /** Current state of an aggregate, as the next command would see it. */
    load(aggregateId: string): Promise<Loaded<S>> {
      const streamId = deps.streamIdOf(aggregateId);
      return queue.run(streamId, () => loadCached(streamId));
    },

    /** Forget cached state (e.g. when another node is known to have written). */
    invalidate(aggregateId: string): void {
      cache.delete(deps.streamIdOf(aggregateId));
    },

    /** Cached state without waiting for queued commands; undefined when not cached. */
    peek(aggregateId: string): Loaded<S> | undefined {
      return cache.get(deps.streamIdOf(aggregateId));
    },

    /**
     * Committed events seen on the bus (possibly written by another node): a cached state that
     * is exactly one event behind is evolved, one further behind is dropped and reloaded later.
     */
    observe(events: readonly StoredEvent[]): void {
      for (const event of events) {
        const hit = cache.get(event.streamId);
        if (!hit || event.streamRevision <= hit.revision) continue;
        const parsed = hit.revision === event.streamRevision - 1 ? deps.parse(event) : undefined;
        if (!parsed) {
          cache.delete(event.streamId);
          continue;
        }
        cache.set(event.streamId, {
          state: deps.decider.evolve(hit.state, {
            ...parsed,
            occurredAt: event.occurredAt,
            streamRevision: event.streamRevision,
          }),
          revision: event.streamRevision,
        });
      }
    },
  };
}

export type CommandHandler<C, S> = {
  handle(aggregateId: string, command: C, context: CommandContext): Promise<CommandResult<S>>;
  load(aggregateId: string): Promise<Loaded<S>>;
  invalidate(aggregateId: string): void;
  peek(aggregateId: string): Loaded<S> | undefined;
  observe(events: readonly StoredEvent[]): void;
};
