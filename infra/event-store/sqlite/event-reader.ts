import Database from 'better-sqlite3';
import type { StoredEvent } from '../../../domain/shared/envelope';
import { toStoredEvent, type EventRow } from './schema';

export type SqliteEventReader = ReturnType<typeof openSqliteEventReader>;

/**
 * A read-only connection to the SQLite event store's file. In WAL mode a reader sees the last
 * committed snapshot and never waits for the writer, so any thread of the process (the store's
 * own reads, the read models' thread following the store) can hold one.
 */
export function openSqliteEventReader(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const byStream = db.prepare<[string, number, number], EventRow>(
    'SELECT * FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?',
  );
  const after = db.prepare<[number, number], EventRow>(
    'SELECT * FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?',
  );
  const head = db.prepare<[], { head: number | null }>('SELECT MAX(global_position) AS head FROM events');
  return {
    readStream: (streamId: string, fromRevision: number, maxCount: number): StoredEvent[] =>
      byStream.all(streamId, fromRevision, maxCount).map(toStoredEvent),
    /** The events after global position `position`, oldest first, at most `maxCount`. */
    readAll: (position: number, maxCount: number): StoredEvent[] =>
      after.all(position, maxCount).map(toStoredEvent),
    head: (): number => head.get()?.head ?? 0,
    close: () => db.close(),
  };
}
