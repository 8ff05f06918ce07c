import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createAnalyticsHandler } from '../pipelines/analytics/analytics-handler';
import { allProjections, createProjectionRunner } from '../projections';
import { storageWrittenBytes } from './process-io';
import type { ReplayVariant } from './read-models-replay-variant';

/** A fresh store of one variant, fed as the read models' thread feeds its own. */
export interface ReplayTarget {
  variant: ReplayVariant;
  apply(events: readonly StoredEvent[]): Promise<void>;
  /** CPU (µs) each target took, and the bytes this process had written meanwhile. */
  totals(): { projectionsUs: number; analyticsUs: number; writtenBytes: number };
  close(): Promise<void>;
}

/** Bytes this process has had written to storage (the write-ahead logs and the files they copy to). */
const writtenBytes = () => storageWrittenBytes(process.pid) ?? 0;

export function openReplayTarget(dir: string, variant: ReplayVariant): ReplayTarget {
  const path = join(dir, `${variant.name}.db`);
  if (variant.pageSize !== undefined) {
    // The page size is fixed by the file's first write: made here before the store opens it.
    const db = new Database(path);
    db.pragma(`page_size = ${variant.pageSize}`);
    db.pragma('journal_mode = WAL');
    db.close();
  }
  const store: ProjectionStore = createSqliteProjectionStore({
    path,
    walAutocheckpointPages: variant.walAutocheckpoint,
  });
  const logger = pino({ level: 'warn' });
  const projections = createProjectionRunner({ store, projections: allProjections(), logger });
  const analytics = createAnalyticsHandler({
    source: 'http://localhost/analytics',
    schemaBase: 'http://localhost/docs/analytics',
    chatContent: false,
    store,
    logger,
  });
  const totals = { projectionsUs: 0, analyticsUs: 0, writtenBytes: 0 };
  // Each step runs alone on this thread (SQLite's calls are synchronous), so what the process
  // used and wrote meanwhile is this step's.
  const timed = async (target: 'projectionsUs' | 'analyticsUs', work: () => Promise<unknown>) => {
    const bytesBefore = writtenBytes();
    const before = process.cpuUsage();
    await work();
    const used = process.cpuUsage(before);
    totals[target] += used.user + used.system;
    totals.writtenBytes += writtenBytes() - bytesBefore;
  };
  return {
    variant,
    async apply(events) {
      await timed('projectionsUs', () => projections.handle(events));
      await timed('analyticsUs', () => analytics.handle(events));
    },
    totals: () => ({ ...totals }),
    close: () => store.close(),
  };
}
