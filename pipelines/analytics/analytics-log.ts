import type { ProjectionReader, ProjectionWriter } from '../../domain/ports/projection-store';
import type { AnalyticsRecord } from './records';

/**
 * Where records live: the projection store, written in the same transaction as the analytics
 * state and the runner's checkpoint, so a record exists exactly when its source event counts as
 * processed. Two orders are kept:
 * - `analytics_log` / `all` / cursor: every record in commit order. The cursor is a counter kept in
 *   `analytics_head` (read and written inside each transaction, which the stores run one at a
 *   time or with the document locked), so a reader never sees a later record before an earlier one
 *   is committed: `after=<cursor>` gives exactly what followed.
 * - `analytics_by_meeting` / meetingId / sequence: `{ cursor }`, where one meeting's records are
 *   in the log, for scoped analysts and insights. Only the cursor: the record itself is written
 *   once (a record is most of what a chat costs the store to commit, and writing it twice made the
 *   analytics pipeline the read models' thread's largest cost). Entries written before carry the
 *   record as well (`{ record, cursor }`) and are read as they are.
 */
export const LOG = 'analytics_log';
export const BY_MEETING = 'analytics_by_meeting';
export const HEAD = 'analytics_head';
export const MEETINGS = 'analytics_meetings';
export const ALL = 'all';

/** Fixed width, so the store's key order is numeric order. */
export const cursorKey = (offset: number) => String(offset).padStart(14, '0');
export const sequenceKey = (sequence: number) => String(sequence).padStart(10, '0');

export interface LogEntry {
  cursor: string;
  record: AnalyticsRecord;
}

export interface LogPage {
  records: LogEntry[];
  /** Where to continue: the last record's cursor, or the one asked for when nothing followed. */
  next: string;
}

/** A cursor as a caller gives it: digits only (absent: from the beginning). */
export function parseCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  if (!/^\d{1,14}$/.test(cursor)) throw new RangeError('cursor must be digits');
  return Number(cursor);
}

/** Every meeting's records after `after`, in commit order. */
export async function readLog(reader: ProjectionReader, after: number, limit: number): Promise<LogPage> {
  const rows = await reader.range<{ record: AnalyticsRecord }>(LOG, ALL, {
    order: 'asc',
    limit,
    ...(after > 0 ? { cursor: cursorKey(after) } : {}),
  });
  const records = rows.map((r) => ({ cursor: String(Number(r.key)), record: r.doc.record }));
  return { records, next: records.at(-1)?.cursor ?? String(after) };
}

/** One meeting's records after sequence `after` (the cursor is the sequence number). */
export async function readMeetingRecords(
  reader: ProjectionReader,
  meetingId: string,
  after: number,
  limit: number,
): Promise<LogPage> {
  const rows = await reader.range<MeetingEntry>(BY_MEETING, meetingId, {
    order: 'asc',
    limit,
    ...(after > 0 ? { cursor: sequenceKey(after) } : {}),
  });
  const records = (
    await resolveMeetingEntries(
      reader,
      rows.map((r) => r.doc),
    )
  ).map((record) => ({
    cursor: String(record.sequence),
    record,
  }));
  return { records, next: records.at(-1)?.cursor ?? String(after) };
}

/** A meeting's index entry: where its record is in the log (and, if written before v2, the record). */
export interface MeetingEntry {
  [field: string]: unknown;
  cursor: number;
  record?: AnalyticsRecord;
}

/** The records a meeting's index entries point at, in the entries' order. */
export async function resolveMeetingEntries(
  reader: ProjectionReader,
  entries: readonly MeetingEntry[],
): Promise<AnalyticsRecord[]> {
  const missing = entries.filter((e) => e.record === undefined);
  const logged = await reader.getMany<{ record: AnalyticsRecord }>(
    missing.map((e) => ({ collection: LOG, partition: ALL, key: cursorKey(e.cursor) })),
  );
  const byCursor = new Map(missing.map((e, i) => [e.cursor, logged[i]?.record]));
  return entries.flatMap((e) => {
    const record = e.record ?? byCursor.get(e.cursor);
    return record ? [record] : [];
  });
}

/** The log's head as this transaction last moved it: read once per transaction, not per record. */
const heads = new WeakMap<ProjectionWriter, number>();

/**
 * Appends a meeting's newly sequenced records to both orders, inside the caller's transaction
 * (which also writes the meeting's state with its `lastSequence`). The head is written too, unless
 * `head: 'later'`: a caller appending for many events in one transaction (the analytics
 * projection, once per chat) then writes it once with `writeHead` before the transaction ends,
 * instead of rewriting the same document for every record.
 */
export async function appendRecords(
  tx: ProjectionWriter,
  meetingId: string,
  records: readonly AnalyticsRecord[],
  options: { head?: 'now' | 'later' } = {},
): Promise<void> {
  if (records.length === 0) return;
  // The transaction holds the store's write lock (SQLite) or the head's row lock (PostgreSQL,
  // taken by the first read), so the head cannot move under it between two appends.
  let offset = heads.get(tx) ?? (await tx.get<{ offset: number }>(HEAD, '', ALL))?.offset ?? 0;
  for (const record of records) {
    offset += 1;
    await tx.put(LOG, ALL, cursorKey(offset), { record });
    await tx.put(BY_MEETING, meetingId, sequenceKey(record.sequence), {
      cursor: offset,
    } satisfies MeetingEntry);
  }
  heads.set(tx, offset);
  if (options.head !== 'later') await writeHead(tx);
}

/** Writes the head as this transaction's appends left it (nothing if it appended nothing). */
export async function writeHead(tx: ProjectionWriter): Promise<void> {
  const offset = heads.get(tx);
  if (offset !== undefined) await tx.put(HEAD, '', ALL, { offset });
}
