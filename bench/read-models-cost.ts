import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../domain/shared/envelope';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createAnalyticsHandler } from '../pipelines/analytics/analytics-handler';
import { allProjections, createProjectionRunner } from '../projections';
import { storedEvent } from '../projections/projection.spec-helper';

export interface ReadModelsCost {
  meetings: number;
  batch: number;
  events: number;
  /** CPU µs per chat event (this process: user + system). */
  rawUpsertUs: number;
  projectionsUs: number;
  analyticsUs: number;
  bothUs: number;
}

const silent = { warn: () => undefined, error: () => undefined };

/**
 * What one chat costs the read models (the work of the server's read-models thread), in CPU µs per
 * event: chats spread over `meetings` meetings, applied in batches of `batch` as the bus hands
 * them over, on the embedded SQLite store. Baseline: raw better-sqlite3 upserts of one ~250-byte
 * document per event into a table of the store's shape, same pragmas and batches.
 */
export async function benchReadModelsCost(
  meetings: number,
  batch: number,
  events: number,
): Promise<ReadModelsCost> {
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-rm-'));
  try {
    const ids = Array.from(
      { length: meetings },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const revisions = new Map<string, number>();
    let position = 0;
    const chats = (n: number): StoredEvent[] =>
      Array.from({ length: n }, () => {
        const meetingId = ids[position % meetings]!;
        const streamRevision = (revisions.get(meetingId) ?? -1) + 1;
        revisions.set(meetingId, streamRevision);
        position++;
        return storedEvent({
          meetingId,
          streamRevision,
          globalPosition: position,
          type: 'ChatMessageSent',
          data: {
            messageId: `msg-${position}`,
            senderId: 'ann',
            senderName: 'Ann',
            content: `hello ${position}`,
          },
        });
      });
    const cpuUsPerEvent = async (apply: (events: StoredEvent[]) => Promise<void>): Promise<number> => {
      for (let i = 0; i < 5; i++) await apply(chats(batch)); // warm-up
      const before = process.cpuUsage();
      for (let done = 0; done < events; done += batch) await apply(chats(batch));
      const used = process.cpuUsage(before);
      return (used.user + used.system) / events;
    };

    const raw = new Database(join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec(
      'CREATE TABLE docs (collection TEXT, partition TEXT, key TEXT, doc TEXT, PRIMARY KEY (collection, partition, key)) WITHOUT ROWID',
    );
    const upsert = raw.prepare(
      'INSERT INTO docs VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc',
    );
    const writeRaw = raw.transaction((list: StoredEvent[]) => {
      for (const e of list)
        upsert.run('chat', e.meetingId, String(e.streamRevision).padStart(15, '0'), JSON.stringify(e.data));
    });
    const rawUpsertUs = await cpuUsPerEvent(async (list) => void writeRaw.immediate(list));
    raw.close();

    const measure = async (which: 'projections' | 'analytics' | 'both'): Promise<number> => {
      const store = createSqliteProjectionStore({ path: join(dir, `${which}.db`) });
      const runner = createProjectionRunner({ store, projections: allProjections() });
      const analytics = createAnalyticsHandler({
        store,
        logger: silent,
        chatContent: false,
        source: '/confer/bench',
        schemaBase: 'https://confer.invalid/schemas',
      });
      try {
        return await cpuUsPerEvent(async (list) => {
          if (which !== 'analytics') await runner.handle(list);
          if (which !== 'projections') await analytics.handle(list);
        });
      } finally {
        await store.close();
      }
    };
    return {
      meetings,
      batch,
      events,
      rawUpsertUs,
      projectionsUs: await measure('projections'),
      analyticsUs: await measure('analytics'),
      bothUs: await measure('both'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
