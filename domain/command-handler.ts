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

/** A cached state; `stale`: another writer may have appended since, caught up before its next use. */
interface Cached<S> extends Loaded<S> {
  stale?: true;
}

/** The most commands one append carries (their events are written in one transaction). */
const MAX_GROUP = 64;

/** A command waiting on its stream's lane, with what its retries have used. */
interface Waiting<C, S> {
  command: C;
  context: CommandContext;
  giveUpAt: number;
  /** Races lost so far (the pause before the next try grows with it). */
  lost: number;
  /** Its group's append failed for another reason than a lost race: it is tried on its own. */
  alone: boolean;
  resolve(result: CommandResult<S>): void;
  reject(error: unknown): void;
}

/** A stream's commands waiting for its next group, and the reads of its state waiting their turn. */
interface Lane<C, S> {
  aggregateId: string;
  waiting: Waiting<C, S>[];
  /** load() calls queued behind this lane: it lets them through between two groups. */
  reads: number;
}

/**
 * Load → decide → append with the expected revision → on conflict reload and decide again.
 * Commands for one aggregate are serialised in memory and its state cached, so the common case
 * costs one append; optimistic concurrency still guards against writers on other nodes.
 *
 * One append at a time per stream, and the commands that arrive while it is on its way go
 * together in the next one (group commit per stream): each is decided on the state its
 * predecessors leave, and their events are appended at once, all or nothing, under the expected
 * revision of the state they started from. Five people of one meeting sending at once wait for
 * two durable writes instead of five in a row, and a hundred raising their hands for two instead
 * of a hundred. A command refused on that not-yet-written state waits for the group to land and
 * is decided again, and a group whose append fails is tried again (a lost race) or split (any
 * other failure), so one command's failure is never another's.
 */
export function createCommandHandler<C, E extends DomainEvent, S>(deps: CommandHandlerDeps<C, E, S>) {
  const queue = new KeyedQueue();
  const cache = new Lru<string, Cached<S>>(deps.cacheSize ?? 10_000);
  const contentionBudgetMs = deps.contentionBudgetMs ?? 5_000;
  /** Lanes opened in this turn of the event loop, to start at its end. */
  let starting: (() => void)[] = [];
  const startLanes = () => {
    const start = starting;
    starting = [];
    for (const go of start) go();
  };
  /** Commands waiting per stream, for the stream's next group. */
  const lanes = new Map<string, Lane<C, S>>();

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
    if (hit) return hit.stale ? catchUp(streamId, hit) : hit;
    const loaded = await loadFresh(streamId);
    cache.set(streamId, loaded);
    return loaded;
  }

  /**
   * The cached state with whatever other writers appended since (usually nothing to read): the
   * same state a reload of the whole stream would give, for the price of what is new.
   */
  async function catchUp(streamId: string, cached: Cached<S>): Promise<Loaded<S>> {
    const newer = await deps.store.readStream(streamId, { fromRevision: cached.revision + 1 });
    if (newer.length === 0 && !cached.stale) return cached;
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

  /** The next group: a command to be tried alone, or the commands before the next such one. */
  function takeGroup(waiting: Waiting<C, S>[]): Waiting<C, S>[] {
    if (waiting[0]!.alone) return waiting.splice(0, 1);
    const end = waiting.findIndex((w) => w.alone);
    return waiting.splice(0, Math.min(end < 0 ? waiting.length : end, MAX_GROUP));
  }

  async function drain(streamId: string, lane: Lane<C, S>) {
    while (lane.waiting.length > 0) {
      const group = takeGroup(lane.waiting);
      try {
        await runGroup(streamId, lane.aggregateId, group, lane.waiting);
      } catch (error) {
        // Not expected (runGroup settles its own failures), but a command must never hang.
        cache.delete(streamId);
        for (const w of group) w.reject(error);
      }
      // A meeting that never stops writing must not hold a read of its state back for ever:
      // the lane goes back in the queue behind the reads waiting for it.
      if (lane.reads > 0 && lane.waiting.length > 0) {
        void queue.run(streamId, () => drain(streamId, lane));
        return;
      }
    }
    lanes.delete(streamId);
  }

  /**
   * Decides the group's commands in turn and appends what they decided in one append. Whatever
   * must be tried again goes back to the front of `waiting`, in its order.
   */
  async function runGroup(
    streamId: string,
    aggregateId: string,
    group: Waiting<C, S>[],
    waiting: Waiting<C, S>[],
  ): Promise<void> {
    /**
     * Set once a command of the group is accepted: the stored state it was decided on (`base`),
     * and the state and revision after the commands accepted so far.
     */
    let tip: { base: Loaded<S>; state: S; revision: number } | undefined;
    const accepted: { w: Waiting<C, S>; decided: E[]; occurredAt: string; states: S[] }[] = [];
    const acceptOnTip = (w: Waiting<C, S>, decided: E[], at: NonNullable<typeof tip>) => {
      const a = accept(w, decided, at.revision, at.state);
      accepted.push(a);
      at.state = a.states.at(-1)!;
      at.revision += decided.length;
    };
    let i = 0;
    for (; i < group.length; i++) {
      const w = group[i]!;
      if (!tip) {
        // Nothing decided yet in this group: the cached state, refusals checked against the store.
        try {
          const { current, decided } = await decideOnFreshState(streamId, w.command, w.context.actor);
          if (decided.length === 0) {
            w.resolve({ events: [], state: current.state, revision: current.revision });
            continue;
          }
          const first = { base: current, state: current.state, revision: current.revision };
          acceptOnTip(w, decided, first);
          tip = first;
        } catch (error) {
          if (!(error instanceof ConferError)) cache.delete(streamId);
          w.reject(error);
        }
        continue;
      }
      let decided: E[] | undefined;
      try {
        decided = deps.decider.decide(w.command, tip.state, w.context.actor);
      } catch {
        decided = undefined;
      }
      // Refused, or nothing to do, on a state not written yet: decided again once it is.
      if (!decided || decided.length === 0) break;
      acceptOnTip(w, decided, tip);
    }
    const rest = group.slice(i);
    if (!tip) {
      waiting.unshift(...rest);
      return;
    }
    const { base, state } = tip;
    try {
      const result = await deps.store.append(
        streamId,
        accepted.flatMap(({ w, decided, occurredAt }) => {
          const commandId = deps.ids.eventId();
          const correlationId = w.context.correlationId ?? commandId;
          const causationId = w.context.causationId ?? commandId;
          const metadata = {
            meetingId: aggregateId,
            occurredAt,
            actor: w.context.actor,
            correlationId,
            causationId,
          };
          return decided.map((event) => ({
            eventId: deps.ids.eventId(),
            type: event.type,
            schemaVersion: deps.schemaVersionOf(event.type),
            data: event.data,
            metadata,
          }));
        }),
        { expectedRevision: base.revision < 0 ? 'no_stream' : base.revision },
      );
      cache.set(streamId, { state, revision: result.nextExpectedRevision });
      let offset = 0;
      for (const { w, decided, states } of accepted) {
        const events = result.events.slice(offset, offset + decided.length);
        offset += decided.length;
        w.resolve({ events, state: states.at(-1)!, revision: events.at(-1)!.streamRevision });
      }
      waiting.unshift(...rest);
    } catch (error) {
      if (!(error instanceof RevisionConflictError)) {
        // The append failed: the cache is unsure of the stream, reload next time.
        // Alone, the failure is this command's; in a group, each is tried alone to find whose.
        if (accepted.length === 1) accepted[0]!.w.reject(error);
        else for (const { w } of accepted) w.alone = true;
        waiting.unshift(...(accepted.length === 1 ? [] : accepted.map((a) => a.w)), ...rest);
        cache.delete(streamId);
        return;
      }
      // Another writer appended first: a node racing on this meeting, or the audit checkpointer
      // signing its head (once a minute per running meeting). The state the group was decided on
      // is still right as far as it goes, so only what came after it is read, not the whole
      // stream again (a reload per signature was a full read of every running meeting's history
      // each minute, on the event loop).
      try {
        await catchUp(streamId, base);
      } catch {
        cache.delete(streamId);
      }
      // Tried again at once on the caught-up state. Lost again, two writers are racing: a random
      // pause lets one of them through first, and a growing one waits out a burst from the other.
      const lost = Math.max(...accepted.map(({ w }) => ++w.lost));
      const window =
        lost === 1 ? 0 : Math.min(LONGEST_PAUSE_WINDOW_MS, FIRST_PAUSE_WINDOW_MS * 2 ** (lost - 2));
      const pause = Math.random() * window;
      const retry: Waiting<C, S>[] = [];
      for (const { w } of accepted) {
        if (performance.now() + pause > w.giveUpAt) w.reject(new ConferError('CONFER_COMMAND_CONTENDED'));
        else retry.push(w);
      }
      waiting.unshift(...retry, ...rest);
      if (retry.length > 0 && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** A command's decided events, with the state after each, starting at `revision`. */
  function accept(w: Waiting<C, S>, decided: E[], revision: number, from: S) {
    const occurredAt = deps.clock.now().toISOString();
    const states: S[] = [];
    let state = from;
    decided.forEach((event, i) => {
      state = deps.decider.evolve(state, { ...event, occurredAt, streamRevision: revision + i + 1 });
      states.push(state);
    });
    return { w, decided, occurredAt, states };
  }

  return {
    /** Decides and appends; resolves once the events are durable (or with a ConferError). */
    handle(aggregateId: string, command: C, context: CommandContext): Promise<CommandResult<S>> {
      const streamId = deps.streamIdOf(aggregateId);
      return new Promise<CommandResult<S>>((resolve, reject) => {
        const giveUpAt = performance.now() + contentionBudgetMs;
        const w = { command, context, giveUpAt, lost: 0, alone: false, resolve, reject };
        const lane = lanes.get(streamId);
        if (lane) lane.waiting.push(w);
        else {
          const fresh: Lane<C, S> = { aggregateId, waiting: [w], reads: 0 };
          lanes.set(streamId, fresh);
          // The lane's first group starts once this turn's network reads are done: commands of
          // one meeting that came in together, from several sockets, then share one append. All
          // lanes opened in the turn start in one callback, so their appends reach the store
          // together (it sends what it was given in one callback to its writer as one message).
          if (starting.length === 0) setImmediate(startLanes);
          starting.push(() => void queue.run(streamId, () => drain(streamId, fresh)));
        }
      });
    },

    /** Current state of an aggregate, as the next command would see it. */
    load(aggregateId: string): Promise<Loaded<S>> {
      const streamId = deps.streamIdOf(aggregateId);
      const lane = lanes.get(streamId);
      if (!lane) return queue.run(streamId, () => loadCached(streamId));
      // Commands handed in already go first (their lane may start only at the end of this turn);
      // the lane lets this read through after the group it is writing.
      lane.reads++;
      return new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        queue.run(streamId, () => {
          lane.reads--;
          return loadCached(streamId);
        }),
      );
    },

    /**
     * Another node may have written (a refusal about to be answered, a reconnection's grace
     * ending): the next load or command first reads what was appended after the cached state.
     * Not a reload of the whole stream: when a node's sockets drop together, 5,000 grace periods
     * end together, and each reloading its meeting's whole history held every chat for a second.
     */
    invalidate(aggregateId: string): void {
      const streamId = deps.streamIdOf(aggregateId);
      const hit = cache.get(streamId);
      if (hit && !hit.stale) cache.set(streamId, { ...hit, stale: true });
    },

    /** Cached state without waiting for queued commands; undefined when not cached. */
    peek(aggregateId: string): Loaded<S> | undefined {
      return cache.get(deps.streamIdOf(aggregateId));
    },

    /**
     * Committed events seen on the bus (possibly written by another node): a cached state that
     * is exactly one event behind is evolved (past an event it does not fold, such as an audit
     * checkpoint, only its revision moves, as a reload would), one further behind is marked to
     * catch up before its next use.
     */
    observe(events: readonly StoredEvent[]): void {
      for (const event of events) {
        const hit = cache.get(event.streamId);
        if (!hit || hit.stale || event.streamRevision <= hit.revision) continue;
        if (hit.revision !== event.streamRevision - 1) {
          cache.set(event.streamId, { ...hit, stale: true });
          continue;
        }
        const parsed = deps.parse(event);
        if (!parsed) {
          cache.set(event.streamId, { state: hit.state, revision: event.streamRevision });
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
