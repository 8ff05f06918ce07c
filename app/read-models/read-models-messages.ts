import type { StoredEvent } from '../../domain/shared/envelope';
import type { Config } from '../config';

/** What the read models' thread needs to open its own projection store, derive records and log. */
export interface ReadModelsSettings {
  store: Pick<Config, 'PROJECTION_STORE' | 'PROJECTION_STORE_URL' | 'DATA_DIR'>;
  analytics: { source: string; schemaBase: string; chatContent: boolean };
  logLevel: string;
  nodeId: string;
}

export type ReadModelTarget = 'projections' | 'analytics';

/** What the thread saw while applying a batch, for the server's metrics. */
export interface AppliedReport {
  parked: number;
  meetingDurationsMs: number[];
}

/** Between the server's thread and the read models' thread. */
export type ToReadModels =
  { type: 'batch'; id: number; target: ReadModelTarget; events: readonly StoredEvent[] } | { type: 'close' };
export type FromReadModels =
  | { type: 'ready' }
  | { type: 'done'; id: number; report: AppliedReport }
  | { type: 'failed'; id: number; retryable: boolean; message: string }
  | { type: 'closed' };
