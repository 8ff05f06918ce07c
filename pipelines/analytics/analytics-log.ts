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
 * - `analytics_by_meeting` / meetingId / sequence: one meeting's records, for scoped analysts and
 *   insights.
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
  const rows = await reader.range<{ record: AnalyticsRecord }>(BY_MEETING, meetingId, {
    order: 'asc',
    limit,
    ...(after > 0 ? { cursor: sequenceKey(after) } : {}),
  });
  const records = rows.map((r) => ({ cursor: String(r.doc.record.sequence), record: r.doc.record }));
  return { records, next: records.at(-1)?.cursor ?? String(after) };
}

/**
 * Appends a meeting's newly sequenced records to both orders, inside the caller's transaction
 * (which also writes the meeting's state with its `lastSequence`).
 */
export async function appendRecords(
  tx: ProjectionWriter,
  meetingId: string,
  records: readonly AnalyticsRecord[],
): Promise<void> {
  if (records.length === 0) return;
  let offset = (await tx.get<{ offset: number }>(HEAD, '', ALL))?.offset ?? 0;
  for (const record of records) {
    offset += 1;
    await tx.put(LOG, ALL, cursorKey(offset), { record });
    await tx.put(BY_MEETING, meetingId, sequenceKey(record.sequence), { record, cursor: offset });
  }
  await tx.put(HEAD, '', ALL, { offset });
}
