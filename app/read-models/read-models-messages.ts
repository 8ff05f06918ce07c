import type { StoredEvent } from '../../domain/shared/envelope';
import type { BusConfig } from '../adapters';
import type { Config } from '../config';

/** What the read models' thread needs to open its own projection store, derive records and log. */
export interface ReadModelsSettings {
  store: Pick<Config, 'PROJECTION_STORE' | 'PROJECTION_STORE_URL' | 'DATA_DIR'>;
  analytics: { source: string; schemaBase: string; chatContent: boolean };
  logLevel: string;
  nodeId: string;
  /**
   * Set on Kafka: the thread consumes the projections' and the analytics' groups itself, so that
   * their fetches and decoding never run on the server's event loop (which then copies nothing).
   */
  consume?: BusConfig;
  /**
   * Set on the embedded store and bus (SQLite, in-process): the thread follows the event store
   * itself (thread-tail.ts), so that the server's event loop hands it nothing.
   */
  tail?: TailSettings;
  /**
   * The thread's niceness (setpriority on its own thread), applied only with `consume` or `tail`:
   * then nothing on the server's thread waits for it. Absent: 0.
   */
  niceness?: number;
  /** With a niceness above 0, the thread also runs under SCHED_IDLE (thread-priority.ts). */
  idlePolicy?: boolean;
}

/** Where and how the read models' thread follows the SQLite event store. */
export interface TailSettings {
  /** The event store's file. */
  eventsPath: string;
  /** Most events applied in one batch (one transaction per target). */
  batchSize: number;
  /** After a batch shorter than batchSize, the wait before the next read (more comes meanwhile). */
  lingerMs: number;
  /** When nothing was new, the wait before looking again (growing up to 8× while nothing comes). */
  idlePollMs: number;
}

export type ReadModelTarget = 'projections' | 'analytics';

/** Where the analytics relay publishes (createKafkaRecordPublisher's settings, without the logger). */
export interface RelayPublisherSettings {
  brokers: string[];
  clientId: string;
  topic: string;
  partitions: number;
}

/** What the thread saw while applying a batch, for the server's metrics. */
export interface AppliedReport {
  parked: number;
  meetingDurationsMs: number[];
}

/** A report with nothing in it: the projections' batches, and the analytics' before they run. */
export const emptyReport = (): AppliedReport => ({ parked: 0, meetingDurationsMs: [] });

/** Between the server's thread and the read models' thread. */
export type ToReadModels =
  | { type: 'batch'; id: number; target: ReadModelTarget; events: readonly StoredEvent[] }
  /** Start the thread's own consumers (settings.consume), once the server listens for `applied`. */
  | { type: 'consume' }
  /** This node holds the analytics relay's lease: publish the log to Kafka from the thread. */
  | { type: 'relay-start'; publisher: RelayPublisherSettings }
  | { type: 'relay-stop' }
  | { type: 'close' };
export type FromReadModels =
  | { type: 'ready' }
  /** A batch the thread consumed itself (settings.consume) is committed. */
  /** `position`: the global position of the batch's last event, now committed to the target. */
  | { type: 'applied'; target: ReadModelTarget; events: number; position: number; report: AppliedReport }
  /** A projections attempt failed (it is retried, or parked after three). */
  | { type: 'projection-failure' }
  /** The answer to `consume`: both groups joined (or why not). */
  | { type: 'consuming'; error?: string }
  /** The answer to `relay-start` (or why it could not connect), and to `relay-stop`. */
  | { type: 'relay-started'; error?: string }
  | { type: 'relay-stopped' }
  /** The relay published this many records. */
  | { type: 'relayed'; records: number }
  | { type: 'done'; id: number; report: AppliedReport }
  | { type: 'failed'; id: number; retryable: boolean; message: string }
  | { type: 'closed' };
