import { StoreUnavailableError } from '../domain/ports/event-store';
import type { ProjectionStore, ProjectionWriter } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';
import { BatchCheckpoints, READ_MODELS_GROUP, readMeetingCheckpoints, readPosition } from './checkpoints';
import { WakeUps } from './wake-ups';

/**
 * A read model fed by committed events. `apply` writes only to the projection's own
 * `collections`, through the transaction it is given; the runner records the checkpoint in that
 * same transaction. Bump `version` when the documents change shape: the read model must then be
 * rebuilt (status() reports it).
 */
export interface Projection {
  name: string;
  version: number;
  collections: string[];
  apply(event: StoredEvent, tx: ProjectionWriter): Promise<void>;
  /**
   * Called once at the end of each batch's transaction, after every `apply`: what all of a batch's
   * events move (a counter, a head) is written once here rather than once per event.
   */
  finish?(tx: ProjectionWriter): Promise<void>;
}

/** What the runner logs (pino's `(object, message)` signature). */
export interface ProjectionLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ProjectionStatus {
  name: string;
  /** Version of the code. */
  version: number;
  /** Version that wrote the stored read model (undefined: nothing projected yet). */
  storedVersion: number | undefined;
  /** Highest global position applied. */
  position: number;
  rebuildNeeded: boolean;
}

export interface ProjectionRunner {
  /**
   * Applies a batch in one store transaction: all of it becomes visible, or (a projection threw)
   * none of it, checkpoints included, and the returned promise rejects: with a ProjectionFailedError
   * when a projection threw (a bug or a poison event: park it), with the store's
   * StoreUnavailableError when the store failed (retry).
   * Events already applied (stream revision ≤ the meeting's checkpoint) are skipped, so redelivered
   * and overlapping batches are harmless.
   */
  handle(events: readonly StoredEvent[]): Promise<void>;
  /**
   * True once every projection has applied the meeting's events up to `revision`; false after
   * `timeoutMs`. Wakes when this runner commits a batch, and polls the store meanwhile, since
   * another node may be the one projecting.
   */
  waitFor(meetingId: string, revision: number, timeoutMs: number): Promise<boolean>;
  /**
   * Another runner on the same store (the read models' own thread) committed a batch: waiters
   * re-read the store now rather than at their next poll.
   */
  committedElsewhere(): void;
  status(): Promise<ProjectionStatus[]>;
}

export interface ProjectionRunnerOptions {
  store: ProjectionStore;
  projections: readonly Projection[];
  logger?: ProjectionLogger;
  /** How often waitFor re-reads the store when no local batch wakes it. */
  pollMs?: number;
  /**
   * Where the runner keeps its meetings' checkpoints (one document per meeting for the group's
   * projections). Every runner of the same projections must use the same group: the server's, the
   * read models' thread's and a rebuild's. Default: the product's read models.
   */
  group?: string;
}

/** A projection threw on an event; the batch was rolled back. Carries where, for logs and parking. */
export class ProjectionFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly event: Pick<StoredEvent, 'eventId' | 'type' | 'meetingId' | 'streamRevision' | 'globalPosition'>,
    cause: unknown,
  ) {
    super(
      `Projection ${projection} failed on ${event.type} ` +
        `(meeting ${event.meetingId}, revision ${event.streamRevision}, position ${event.globalPosition}): ` +
        (cause instanceof Error ? cause.message : String(cause)),
      { cause },
    );
    this.name = 'ProjectionFailedError';
  }
}

const silent: ProjectionLogger = { warn: () => undefined, error: () => undefined };

export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { store } = options;
  const projections = [...options.projections];
  assertValidProjections(projections);
  const logger = options.logger ?? silent;
  const pollMs = options.pollMs ?? 50;
  const versions = new Map(projections.map((p) => [p.name, p.version]));
  const names = projections.map((p) => p.name);
  const group = options.group ?? READ_MODELS_GROUP;
  const wakeUps = new WakeUps();

  async function applyBatch(events: readonly StoredEvent[], tx: ProjectionWriter): Promise<void> {
    const checkpoints = new BatchCheckpoints(tx, group, names);
    await checkpoints.prefetch([...new Set(events.map((e) => e.meetingId))]);
    for (const event of events) {
      for (const projection of projections) {
        const applied = checkpoints.revisionOf(projection.name, event.meetingId);
        if (event.streamRevision <= applied) continue;
        if (event.streamRevision > applied + 1) {
          // Not fatal (a projection added after a meeting began starts mid-stream), but a sign of
          // lost events otherwise: worth a look, and a rebuild.
          logger.warn(
            {
              projection: projection.name,
              meetingId: event.meetingId,
              applied,
              received: event.streamRevision,
            },
            'projection skipped stream revisions',
          );
        }
        try {
          await projection.apply(event, tx);
        } catch (cause) {
          // The store failing is no fault of the projection: keep its retryable error as it is.
          if (cause instanceof StoreUnavailableError) throw cause;
          throw new ProjectionFailedError(projection.name, event, cause);
        }
        checkpoints.advance(projection.name, event);
      }
    }
    for (const projection of projections) {
      try {
        await projection.finish?.(tx);
      } catch (cause) {
        if (cause instanceof StoreUnavailableError) throw cause;
        throw new ProjectionFailedError(projection.name, events.at(-1)!, cause);
      }
    }
    await checkpoints.write((name) => versions.get(name)!);
  }

  async function caughtUp(meetingId: string, revision: number): Promise<boolean> {
    const checkpoints = (await readMeetingCheckpoints(store, group, names, [meetingId])).get(meetingId)!;
    return names.every((name) => (checkpoints[name]?.revision ?? -1) >= revision);
  }

  return {
    async handle(events) {
      if (events.length === 0) return;
      try {
        await store.transaction((tx) => applyBatch(events, tx));
      } catch (error) {
        const first = events[0]!;
        const last = events[events.length - 1]!;
        logger.error(
          { err: error, events: events.length, from: first.globalPosition, to: last.globalPosition },
          'projection batch rolled back',
        );
        throw error;
      }
      wakeUps.wakeAll();
    },

    async waitFor(meetingId, revision, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Listen before reading, so a batch committed during the read still wakes us.
        const wake = wakeUps.next(Math.max(0, Math.min(pollMs, deadline - Date.now())));
        if (await caughtUp(meetingId, revision)) {
          wake.cancel();
          return true;
        }
        if (Date.now() >= deadline) {
          wake.cancel();
          return false;
        }
        await wake.promise;
      }
    },

    committedElsewhere() {
      wakeUps.wakeAll();
    },

    async status() {
      return Promise.all(
        projections.map(async (p) => {
          const stored = await readPosition(store, p.name);
          return {
            name: p.name,
            version: p.version,
            storedVersion: stored?.version,
            position: stored?.position ?? 0,
            rebuildNeeded: stored !== undefined && stored.version !== p.version,
          };
        }),
      );
    },
  };
}

/** Names and collections must not clash: a rebuild clears a projection's collections wholesale. */
export function assertValidProjections(projections: readonly Projection[]): void {
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const p of projections) {
    if (!/^[A-Za-z0-9][\w.-]*$/.test(p.name)) throw new Error(`Invalid projection name "${p.name}"`);
    if (names.has(p.name)) throw new Error(`Two projections are named "${p.name}"`);
    names.add(p.name);
    for (const collection of p.collections) {
      if (collection.startsWith('_')) {
        throw new Error(`Projection ${p.name}: collection names starting with "_" are reserved`);
      }
      const owner = owners.get(collection);
      if (owner !== undefined) {
        throw new Error(`Collection "${collection}" belongs to both ${owner} and ${p.name}`);
      }
      owners.set(collection, p.name);
    }
  }
}
