import type { EventToAppend, StoredEvent } from '../shared/envelope';
import { ConferError } from '../shared/errors';

/**
 * `no_stream`: the stream must not exist; `stream_exists`: it must; `any`: no check;
 * a number: the revision of the stream's last event (revisions start at 0).
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** Global position of the last appended event. */
  lastPosition: number;
  events: StoredEvent[];
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Return events whose global position is strictly greater than this. 0 reads from the start. */
  after: number;
  maxCount: number;
}

export interface SubscribeOptions {
  /** Deliver events strictly after this global position: everything already stored, then live. */
  after: number;
  /** Called with batches in global order; the next batch waits for the returned promise. */
  onEvents(events: StoredEvent[]): Promise<void> | void;
  /** A failing handler or store stops the subscription; it is reported here. */
  onError?(error: unknown): void;
  batchSize?: number;
}

export interface Subscription {
  /** Position of the last event handed to onEvents. */
  readonly position: number;
  close(): Promise<void>;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /**
   * The id the stream's event at `expectedRevision` must have (a store with `chainsAppends`
   * checks it, as a revision conflict). An append decided on another one not yet acknowledged
   * (pipelined) lands only on that append: were it refused, a foreign append leaving the stream
   * at the same revision must not pass for it.
   */
  expectedLastEventId?: string;
}

/** The event store port: one durable, ordered history of every stream. */
export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult>;
  /**
   * Appends handed in one after the other are written in that order, and `expectedLastEventId`
   * is checked: a command handler may hand in a stream's next append before the previous one is
   * acknowledged. A store that writes through several connections at once leaves it unset.
   */
  readonly chainsAppends?: boolean;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options: ReadAllOptions): Promise<StoredEvent[]>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  /** Global position of the newest event (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** The one error every adapter translates its vendor's "wrong expected version" into. */
export class RevisionConflictError extends ConferError {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(
      'CONFER_STORE_REVISION_CONFLICT',
      `Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`,
    );
    this.name = 'RevisionConflictError';
  }
}

/** The store could not be reached or failed transiently: the command may be retried as is. */
export class StoreUnavailableError extends ConferError {
  constructor(message: string, cause?: unknown) {
    super('CONFER_STORE_UNAVAILABLE', message);
    this.cause = cause;
    this.name = 'StoreUnavailableError';
  }
}

/**
 * One append could not be stored for a reason of its own (not the store's health): it failed
 * alone, and retrying it as is would fail again. The cause is for logs, never for callers.
 */
export class EventRejectedError extends ConferError {
  constructor(cause?: unknown) {
    super('CONFER_STORE_EVENT_REJECTED');
    this.cause = cause;
    this.name = 'EventRejectedError';
  }
}
