import { z } from 'zod';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
} from '../../domain/ports/event-store';
import { RevisionConflictError, StoreUnavailableError } from '../../domain/ports/event-store';
import { ActorSchema } from '../../domain/shared/actor';
import type { EventToAppend, StoredEvent } from '../../domain/shared/envelope';
import { Lru } from '../../domain/shared/lru';
import { startCatchUpSubscription } from './catch-up-subscription';
import { checkExpectedRevision } from './expected-revision';
import { GENESIS_HASH, eventHash } from './hash-chain';
import { redactedTarget } from './postgres/options';
import type { WakeSignal } from './wake-signal';

/*
 * The EventStoreDB (KurrentDB) adapter. No server can be installed on the machines this was
 * written on, and `@eventstore/db-client` is not a dependency: the client is loaded on demand and
 * only the part of its API used here is declared below. Not yet run against a server: see
 * docs/event-store.md ("EventStoreDB") for what to check when one is given (EVENTSTORE_URL).
 */

interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}
interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition;
}
interface EsdbResolvedEvent {
  event?: EsdbRecordedEvent;
}
interface EsdbClient {
  appendToStream(
    streamName: string,
    events: unknown[],
    options: { expectedRevision: bigint | string },
  ): Promise<{ nextExpectedRevision: bigint; position?: EsdbPosition }>;
  readStream(
    streamName: string,
    options: { fromRevision: bigint | string; direction: string; maxCount: number },
  ): AsyncIterable<EsdbResolvedEvent>;
  readAll(options: {
    fromPosition: EsdbPosition | string;
    direction: string;
    maxCount: number;
  }): AsyncIterable<EsdbResolvedEvent>;
  dispose(): Promise<void>;
}
type ErrorClass = abstract new (...args: never[]) => Error;
interface EsdbModule {
  EventStoreDBClient: { connectionString(connectionString: string): EsdbClient };
  jsonEvent(event: { id: string; type: string; data: unknown; metadata: unknown }): unknown;
  START: string;
  END: string;
  FORWARDS: string;
  BACKWARDS: string;
  NO_STREAM: string;
  WrongExpectedVersionError: ErrorClass;
  StreamNotFoundError: ErrorClass;
  UnavailableError?: ErrorClass;
  DeadlineExceededError?: ErrorClass;
  NotLeaderError?: ErrorClass;
  CancelledError?: ErrorClass;
}

export interface EventStoreDbEventStoreOptions {
  /** esdb://host:2113?tls=false */
  connectionString: string;
  /** Poll period of live subscriptions for appends made by other nodes. */
  pollMs?: number;
  /** The configuration setting that holds the connection string, named in start-up errors. */
  settingName?: string;
}

/** Our envelope rides in each event's metadata; events without it (not Confer's) are skipped. */
const EnvelopeMetadataSchema = z.object({
  schemaVersion: z.number().int().positive(),
  meetingId: z.string().min(1),
  occurredAt: z.string(),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  prevHash: z.string(),
  hash: z.string(),
});

/** Appends with 'any' or 'stream_exists' are pinned to the revision read for the hash chain. */
const MAX_PINNED_ATTEMPTS = 10;

async function loadClientModule(): Promise<EsdbModule> {
  // A variable specifier: the package is optional, and type-checking must not require it.
  const specifier = '@eventstore/db-client';
  try {
    const loaded = (await import(specifier)) as Partial<EsdbModule> & { default?: EsdbModule };
    // A CommonJS package: its exports are named, or all under `default`, depending on the loader.
    return (loaded.EventStoreDBClient ? loaded : loaded.default) as EsdbModule;
  } catch (error) {
    throw new StoreUnavailableError(
      'The EventStoreDB event store needs the @eventstore/db-client package, which is not installed',
      error,
    );
  }
}

/**
 * Global positions are the events' prepare positions in EventStoreDB's log: increasing, unique,
 * not dense. Reading on from one needs the full (commit, prepare) pair, remembered for recent
 * events; for an older one the pair is rebuilt as (p, p), exact for single-event appends.
 */
export async function createEventStoreDbEventStore(
  options: EventStoreDbEventStoreOptions,
): Promise<EventStore> {
  const esdb = await loadClientModule();
  const client = esdb.EventStoreDBClient.connectionString(options.connectionString);
  const watchers = new Set<WakeSignal>();
  const fullPositions = new Lru<number, EsdbPosition>(100_000);

  const isUnavailable = (error: unknown): boolean =>
    [esdb.UnavailableError, esdb.DeadlineExceededError, esdb.NotLeaderError, esdb.CancelledError].some(
      (type) => type !== undefined && error instanceof type,
    );

  function translate(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
    if (error instanceof esdb.WrongExpectedVersionError) {
      const actual = (error as Error & { actualVersion?: unknown }).actualVersion;
      return new RevisionConflictError(
        streamId,
        expected,
        typeof actual === 'bigint' || typeof actual === 'number' ? Number(actual) : 'no_stream',
      );
    }
    if (isUnavailable(error)) {
      return new StoreUnavailableError(`EventStoreDB unavailable: ${(error as Error).message}`, error);
    }
    return error;
  }

  function toStoredEvent(resolved: EsdbResolvedEvent): StoredEvent | undefined {
    const event = resolved.event;
    if (!event || event.streamId.startsWith('$') || event.type.startsWith('$')) return undefined;
    const metadata = EnvelopeMetadataSchema.safeParse(event.metadata);
    if (!metadata.success) return undefined;
    const position = event.position;
    if (position) fullPositions.set(Number(position.prepare), position);
    const { schemaVersion, ...envelope } = metadata.data;
    // Object.assign, not a spread with new keys: each event would get a hidden class of its own
    // on Node 20's V8 (docs/capacity.md, twenty-second session).
    return Object.assign(envelope, {
      eventId: event.id,
      type: event.type,
      schemaVersion,
      streamId: event.streamId,
      streamRevision: Number(event.revision),
      // Older servers give no log position on stream reads: 0 says "unknown".
      globalPosition: position ? Number(position.prepare) : 0,
      data: event.data,
    });
  }

  async function readStreamRaw(
    streamId: string,
    fromRevision: bigint | string,
    direction: string,
    maxCount: number,
  ): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of client.readStream(streamId, { fromRevision, direction, maxCount })) {
        const stored = toStoredEvent(resolved);
        if (stored) events.push(stored);
      }
    } catch (error) {
      if (error instanceof esdb.StreamNotFoundError) return [];
      throw translate(error, streamId, 'any');
    }
    return events;
  }

  /** The same events already stored where this append would have put them: a retried command. */
  async function findRetried(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
    tail: StoredEvent[],
  ): Promise<StoredEvent[] | undefined> {
    const ids = events.map((e) => e.eventId);
    const last = tail[tail.length - 1];
    if (ids.length === 0 || !last) return undefined;
    const from =
      expected === 'no_stream'
        ? 0
        : typeof expected === 'number'
          ? expected + 1
          : last.streamRevision - ids.length + 1;
    if (from < 0 || from > last.streamRevision) return undefined;
    const found = await readStreamRaw(streamId, BigInt(from), esdb.FORWARDS, ids.length);
    return found.length === ids.length && found.every((e, i) => e.eventId === ids[i]) ? found : undefined;
  }

  async function appendOnce(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const tail = (await readStreamRaw(streamId, esdb.END, esdb.BACKWARDS, 1)).reverse();
    const head = tail[tail.length - 1];
    const actual = head ? head.streamRevision : -1;
    const retried = await findRetried(streamId, events, expected, tail);
    if (retried) return resultOf(retried, actual);
    checkExpectedRevision(streamId, expected, actual);
    if (events.length === 0) return { nextExpectedRevision: actual, lastPosition: 0, events: [] };

    let prevHash = head ? head.hash : GENESIS_HASH;
    const toWrite = events.map((event, i) => {
      const base = {
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        streamId,
        meetingId: event.metadata.meetingId,
        streamRevision: actual + 1 + i,
        occurredAt: event.metadata.occurredAt,
        actor: event.metadata.actor,
        correlationId: event.metadata.correlationId,
        causationId: event.metadata.causationId,
        // What readers will parse back, so that the hash verifies on read.
        data: JSON.parse(JSON.stringify(event.data ?? null)) as unknown,
        prevHash,
      };
      const hash = eventHash(base);
      prevHash = hash;
      const { eventId, type, data, streamId: _s, streamRevision: _r, ...metadata } = base;
      return esdb.jsonEvent({ id: eventId, type, data, metadata: Object.assign(metadata, { hash }) });
    });
    await client.appendToStream(streamId, toWrite, {
      expectedRevision: actual < 0 ? esdb.NO_STREAM : BigInt(actual),
    });
    for (const watcher of watchers) watcher.notify();
    const written = await readStreamRaw(streamId, BigInt(actual + 1), esdb.FORWARDS, events.length);
    return resultOf(written, actual);
  }

  async function readAll({ after, maxCount }: ReadAllOptions): Promise<StoredEvent[]> {
    let from: EsdbPosition | string =
      fullPositions.get(after) ??
      (after === 0 ? esdb.START : { commit: BigInt(after), prepare: BigInt(after) });
    try {
      for (;;) {
        const page: EsdbResolvedEvent[] = [];
        for await (const resolved of client.readAll({
          fromPosition: from,
          direction: esdb.FORWARDS,
          maxCount,
        })) {
          page.push(resolved);
        }
        const mine = page
          .map(toStoredEvent)
          .filter((e): e is StoredEvent => e !== undefined && e.globalPosition > after);
        const lastPosition = page[page.length - 1]?.event?.position;
        // A page of only system events (or the one at `after`): read on rather than report "none".
        if (mine.length > 0 || page.length < maxCount || !lastPosition) return mine.slice(0, maxCount);
        if (from !== esdb.START && lastPosition.prepare === (from as EsdbPosition).prepare) return [];
        from = lastPosition;
      }
    } catch (error) {
      throw translate(error, '$all', 'any');
    }
  }

  async function headPosition(): Promise<number> {
    try {
      for await (const resolved of client.readAll({
        fromPosition: esdb.END,
        direction: esdb.BACKWARDS,
        maxCount: 1000,
      })) {
        const stored = toStoredEvent(resolved);
        if (stored) return stored.globalPosition;
      }
      return 0;
    } catch (error) {
      throw translate(error, '$all', 'any');
    }
  }

  try {
    await headPosition();
  } catch (error) {
    await client.dispose().catch(() => undefined);
    throw new StoreUnavailableError(
      `The event store could not start on EventStoreDB (${options.settingName ?? 'EVENT_STORE_URL'}=${redactedTarget(
        options.connectionString,
      )}): ${(error as Error).message}`,
      error,
    );
  }

  return {
    async append(streamId, events, { expectedRevision }) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await appendOnce(streamId, events, expectedRevision);
        } catch (error) {
          const translated = translate(error, streamId, expectedRevision);
          const pinned = expectedRevision === 'any' || expectedRevision === 'stream_exists';
          const lostRace = translated instanceof RevisionConflictError && error !== translated;
          if (pinned && lostRace && attempt < MAX_PINNED_ATTEMPTS) continue;
          throw translated;
        }
      }
    },

    async readStream(streamId: string, opts: ReadStreamOptions = {}) {
      const maxCount = opts.maxCount ?? Number.MAX_SAFE_INTEGER;
      return readStreamRaw(streamId, BigInt(opts.fromRevision ?? 0), esdb.FORWARDS, maxCount);
    },

    readAll,

    subscribeToAll(opts: SubscribeOptions) {
      return startCatchUpSubscription(
        {
          readAll,
          watch: (signal) => {
            watchers.add(signal);
            return () => watchers.delete(signal);
          },
          pollMs: options.pollMs ?? 200,
        },
        opts,
      );
    },

    headPosition,

    async close() {
      await client.dispose();
    },
  };
}

function resultOf(events: StoredEvent[], actualBefore: number): AppendResult {
  const last = events[events.length - 1];
  if (!last) return { nextExpectedRevision: actualBefore, lastPosition: 0, events };
  return { nextExpectedRevision: last.streamRevision, lastPosition: last.globalPosition, events };
}
