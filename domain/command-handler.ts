import type { Clock } from './ports/clock';
import type { EventStore } from './ports/event-store';
import { RevisionConflictError, type AppendResult } from './ports/event-store';
import type { Ids } from './ports/ids';
import type { Actor } from './shared/actor';
import type { StoredEvent } from './shared/envelope';
import { ConferError } from './shared/errors';
import { KeyedQueue } from './shared/keyed-queue';
import { Lru } from './shared/lru';
import { SlotMap } from './shared/slot-map';

export interface DomainEvent {
  type: string;
  data: unknown;
}

export type Recorded<E extends DomainEvent> = E & { occurredAt: string; streamRevision: number };

/**
 * The event as `evolve` sees it. Not `{ ...event, occurredAt, streamRevision }`: on Node 20's V8
 * (11.3) an object spread followed by keys the source lacks gets a hidden class of its own every
 * time, so every read of it misses its inline cache, and such objects outlived the young
 * generation's collections and were promoted (docs/capacity.md, twenty-second session).
 */
export function recorded<E extends DomainEvent>(
  event: E,
  occurredAt: string,
  streamRevision: number,
): Recorded<E> {
  return Object.assign({}, event, { occurredAt, streamRevision });
}

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
  /** Set while the lane waits for an append on its way: a command arriving wakes it. */
  arrived?: () => void;
}

/** The state and revision after the commands accepted so far (not necessarily written yet). */
interface Tip<S> {
  state: S;
  revision: number;
}

/** A command accepted into a group: its events, when, and the state after each. */
interface Accepted<C, S> {
  w: Waiting<C, S>;
  decided: DomainEvent[];
  occurredAt: string;
  states: S[];
}

/** A group decided: its commands, the state it was decided on (`base`), and the state it leaves. */
interface Decided<C, S> {
  accepted: Accepted<C, S>[];
  base: Loaded<S>;
  tip: Tip<S>;
  /** A command was refused on `tip` before it was written: it waits for the group to land. */
  refusedOnTip: boolean;
}

/** A group's append on its way to the store. */
interface InFlight<C, S> extends Omit<Decided<C, S>, 'refusedOnTip'> {
  lastEventId: string;
  /** Its events' ids (their states wait in `decidedStates` until it settles). */
  eventIds: string[];
  outcome: Promise<{ result: AppendResult } | { error: unknown }>;
}

/**
 * Load → decide → append with the expected revision → on conflict reload and decide again.
 * Commands for one aggregate are serialised in memory and its state cached, so the common case
 * costs one append; optimistic concurrency still guards against writers on other nodes.
 *
 * The commands that arrive while a stream's append is on its way go together in the next one
 * (group commit per stream): each is decided on the state its predecessors leave, and their
 * events are appended at once, all or nothing, under the expected revision of the state they
 * started from. Five people of one meeting sending at once wait for
 * two durable writes instead of five in a row, and a hundred raising their hands for two instead
 * of a hundred. A command refused on that not-yet-written state waits for the group to land and
 * is decided again, and a group whose append fails is tried again (a lost race) or split (any
 * other failure), so one command's failure is never another's.
 *
 * On a store that chains appends (`chainsAppends`), the next group does not wait for the one on
 * its way to come back: it is decided on the state that one leaves and handed to the store at
 * once, its `expectedLastEventId` the other's last event, so that it lands only on it. Two appends
 * per stream are on their way at most; were the first refused, the second is refused with it and
 * its commands are decided again behind the first's.
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
  const lanes = new SlotMap<string, Lane<C, S>>();
  /**
   * The state after each event of this node's appends on their way, by event id. The bus
   * usually delivers an append's events before settle() has cached its result (95 % of a chat
   * load's events), and observe() would parse and evolve each one again to the state this node
   * decided it on: it takes that state from here instead.
   */
  const decidedStates = new SlotMap<string, S>();
  const forgetDecided = (f: InFlight<C, S>) => {
    for (const id of f.eventIds) decidedStates.delete(id);
  };

  async function loadFresh(streamId: string): Promise<Loaded<S>> {
    const stored = await deps.store.readStream(streamId);
    let state = deps.decider.initialState();
    let revision = -1;
    for (const event of stored) {
      revision = event.streamRevision;
      const parsed = deps.parse(event);
      if (parsed) state = deps.decider.evolve(state, recorded(parsed, event.occurredAt, revision));
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
      if (parsed) state = deps.decider.evolve(state, recorded(parsed, event.occurredAt, revision));
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

  /** Appends of one stream on their way at once: one being written, the next decided on it. */
  const depth = deps.store.chainsAppends ? 2 : 1;

  async function drain(streamId: string, lane: Lane<C, S>) {
    const inFlight: InFlight<C, S>[] = [];
    /** The front of `waiting` was refused on a state not written yet: let everything land first. */
    let blocked = false;
    const settleAll = async () => {
      while (inFlight.length > 0) await settle(streamId, inFlight, lane.waiting);
      blocked = false;
    };
    try {
      let wrote = false;
      while (lane.waiting.length > 0 || inFlight.length > 0) {
        // A meeting that never stops writing must not hold a read of its state back for ever:
        // once it has written, the lane lands its appends and goes back in the queue behind the
        // reads waiting for it.
        if (wrote && lane.reads > 0) {
          await settleAll();
          if (lane.waiting.length > 0) {
            void queue.run(streamId, () => drain(streamId, lane));
            return;
          }
          break;
        }
        // A command tried alone (to find whose failure failed its group) has nothing chained behind.
        const behindAlone = inFlight.at(-1)?.accepted[0]!.w.alone === true;
        if (lane.waiting.length === 0 && !blocked && !behindAlone && inFlight.length < depth) {
          // Room for one more append: whichever comes first, the oldest landing or a command.
          const arrival = new Promise<'arrived'>((resolve) => (lane.arrived = () => resolve('arrived')));
          const first = await Promise.race([inFlight[0]!.outcome, arrival]);
          lane.arrived = undefined;
          if (first === 'arrived') continue;
        }
        if (lane.waiting.length === 0 || blocked || behindAlone || inFlight.length >= depth) {
          await settle(streamId, inFlight, lane.waiting);
          if (inFlight.length === 0) blocked = false;
          continue;
        }
        const group = takeGroup(lane.waiting);
        const on = inFlight.at(-1);
        const decided = await decideGroup(streamId, group, lane.waiting, on?.tip);
        if (decided.refusedOnTip) blocked = true;
        if (decided.accepted.length > 0) {
          inFlight.push(startAppend(streamId, lane.aggregateId, decided, on));
          wrote = true;
        }
      }
    } catch (error) {
      // Not expected (decideGroup and settle settle their own failures), but a command must
      // never hang: whatever is on its way or waiting is failed, and the state read again.
      cache.delete(streamId);
      for (const f of inFlight.splice(0)) {
        forgetDecided(f);
        for (const { w } of f.accepted) w.reject(error);
      }
      for (const w of lane.waiting.splice(0)) w.reject(error);
    }
    lanes.delete(streamId);
  }

  /**
   * Decides the group's commands in turn, on the state `on` leaves (an append not yet
   * acknowledged) or else on the cached one. Whatever is not decided now goes back to the front
   * of `waiting`, in its order.
   */
  async function decideGroup(
    streamId: string,
    group: Waiting<C, S>[],
    waiting: Waiting<C, S>[],
    on: Tip<S> | undefined,
  ): Promise<Decided<C, S>> {
    const accepted: Accepted<C, S>[] = [];
    /** Set once a command is accepted (or from `on`): the state and revision it leaves. */
    let tip: Tip<S> | undefined = on && { ...on };
    let base: Loaded<S> | undefined = on && { state: on.state, revision: on.revision };
    let refusedOnTip = false;
    let i = 0;
    for (; i < group.length; i++) {
      const w = group[i]!;
      if (!tip) {
        // Nothing decided yet: the cached state, refusals checked against the store.
        try {
          const { current, decided } = await decideOnFreshState(streamId, w.command, w.context.actor);
          if (decided.length === 0) {
            w.resolve({ events: [], state: current.state, revision: current.revision });
            continue;
          }
          base = current;
          tip = { state: current.state, revision: current.revision };
          accepted.push(acceptOnTip(w, decided, tip));
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
      if (!decided || decided.length === 0) {
        refusedOnTip = true;
        break;
      }
      accepted.push(acceptOnTip(w, decided, tip));
    }
    waiting.unshift(...group.slice(i));
    return { accepted, base: base!, tip: tip!, refusedOnTip };
  }

  /** Accepts a command's events on `tip`, which moves past them. */
  function acceptOnTip(w: Waiting<C, S>, decided: E[], tip: Tip<S>): Accepted<C, S> {
    const a = accept(w, decided, tip.revision, tip.state);
    tip.state = a.states.at(-1)!;
    tip.revision += decided.length;
    return a;
  }

  /** Hands the group's events to the store, chained to the append `after` when there is one. */
  function startAppend(
    streamId: string,
    aggregateId: string,
    { accepted, base, tip }: Decided<C, S>,
    after: InFlight<C, S> | undefined,
  ): InFlight<C, S> {
    const events = accepted.flatMap(({ w, decided, occurredAt, states }) => {
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
      return decided.map((event, i) => {
        const eventId = deps.ids.eventId();
        decidedStates.set(eventId, states[i]!);
        return {
          eventId,
          type: event.type,
          schemaVersion: deps.schemaVersionOf(event.type),
          data: event.data,
          metadata,
        };
      });
    });
    const outcome = deps.store
      .append(streamId, events, {
        expectedRevision: base.revision < 0 ? 'no_stream' : base.revision,
        ...(after && { expectedLastEventId: after.lastEventId }),
      })
      .then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
    const eventIds = events.map((e) => e.eventId);
    return { accepted, base, tip, lastEventId: eventIds.at(-1)!, eventIds, outcome };
  }

  /**
   * Waits for the oldest append on its way and answers its commands. Had it failed, the appends
   * chained to it fail too (the store checks what they were decided on): their commands go back,
   * behind its own, to be decided again.
   */
  async function settle(
    streamId: string,
    inFlight: InFlight<C, S>[],
    waiting: Waiting<C, S>[],
  ): Promise<void> {
    const oldest = inFlight.shift()!;
    const { accepted, base, tip } = oldest;
    const outcome = await oldest.outcome;
    forgetDecided(oldest);
    if ('result' in outcome) {
      const { result } = outcome;
      cache.set(streamId, { state: tip.state, revision: result.nextExpectedRevision });
      let offset = 0;
      for (const { w, decided, states } of accepted) {
        const events = result.events.slice(offset, offset + decided.length);
        offset += decided.length;
        w.resolve({ events, state: states.at(-1)!, revision: events.at(-1)!.streamRevision });
      }
      return;
    }
    const followers = inFlight.splice(0);
    await Promise.all(followers.map((f) => f.outcome));
    followers.forEach(forgetDecided);
    const behind = followers.flatMap((f) => f.accepted.map((a) => a.w));
    const { error } = outcome;
    if (!(error instanceof RevisionConflictError)) {
      // The append failed: the cache is unsure of the stream, reload next time.
      // Alone, the failure is this command's; in a group, each is tried alone to find whose.
      if (accepted.length === 1) accepted[0]!.w.reject(error);
      else for (const { w } of accepted) w.alone = true;
      waiting.unshift(...(accepted.length === 1 ? [] : accepted.map((a) => a.w)), ...behind);
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
    waiting.unshift(...retry, ...behind);
    if (retry.length > 0 && pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
  }

  /** A command's decided events, with the state after each, starting at `revision`. */
  function accept(w: Waiting<C, S>, decided: E[], revision: number, from: S) {
    const occurredAt = deps.clock.now().toISOString();
    const states: S[] = [];
    let state = from;
    decided.forEach((event, i) => {
      state = deps.decider.evolve(state, recorded(event, occurredAt, revision + i + 1));
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
        if (lane) {
          lane.waiting.push(w);
          // The lane waits for an append on its way: its next group starts once this turn's
          // network reads are done, with whatever else they bring.
          const wake = lane.arrived;
          lane.arrived = undefined;
          if (wake) setImmediate(wake);
        } else {
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
      if (hit && !hit.stale) cache.set(streamId, { state: hit.state, revision: hit.revision, stale: true });
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
          cache.set(event.streamId, { state: hit.state, revision: hit.revision, stale: true });
          continue;
        }
        // This node's own append, landed on the state it was decided on (the store checked the
        // revision): the state after it is already known.
        const decided = decidedStates.get(event.eventId);
        if (decided !== undefined) {
          cache.set(event.streamId, { state: decided, revision: event.streamRevision });
          continue;
        }
        const parsed = deps.parse(event);
        if (!parsed) {
          cache.set(event.streamId, { state: hit.state, revision: event.streamRevision });
          continue;
        }
        cache.set(event.streamId, {
          state: deps.decider.evolve(hit.state, recorded(parsed, event.occurredAt, event.streamRevision)),
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
