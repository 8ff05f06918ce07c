import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { timeOrderedUuid } from '../infra/ids/time-ordered-uuid';
import { createBatchWriter, type AppendRequest } from '../infra/event-store/sqlite/batch-writer';
import { migrate } from '../infra/event-store/sqlite/schema';
import { chatEvent } from './event-store-appends';
import { storageWrittenBytes } from './process-io';

export interface EventIdOrderRow {
  ids: string;
  /** Events already in the store when the measured window began. */
  eventsBefore: number;
  userUsPerAppend: number;
  systemUsPerAppend: number;
  bytesWrittenPerAppend: number;
  databaseMiB: number;
}

const MEETINGS = 1000;
const BATCH = 200;

/** Bytes this process has caused to be written to storage so far (Linux). */
const bytesWritten = () => storageWrittenBytes(process.pid) ?? 0;

/**
 * What the order of event ids costs the SQLite event store: the writer's own batch code
 * (`createBatchWriter`, synchronous=FULL, WAL) fed chats spread over 1,000 meetings in batches of
 * 200, as group commit sees them under load, with random UUIDs (v4, the baseline) and with the
 * time-ordered ones Confer uses (v7). The store is filled to `total` events and the last quarter
 * is measured: CPU per append (user and kernel) and bytes written per append (WAL and checkpoints).
 * Random ids land on random pages of the unique index on `event_id`; once that index outgrows
 * the caches every append reads a page and every commit writes hundreds back.
 */
export function benchEventIdOrder(total: number): EventIdOrderRow[] {
  return [
    run('random UUID v4 (baseline)', randomUUID, total),
    run('time-ordered UUID v7 (Confer)', timeOrderedUuid, total),
  ];
}

function run(label: string, eventId: () => string, total: number): EventIdOrderRow {
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-ids-'));
  const db = new Database(join(dir, 'events.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
    const write = createBatchWriter(db);
    const streams = Array.from({ length: MEETINGS }, (_, i) => ({
      streamId: `meeting-m${i}`,
      meetingId: `m${i}`,
      revision: -1,
    }));
    const windowFrom = Math.floor((total * 3) / 4 / BATCH) * BATCH;
    let mark: { cpu: NodeJS.CpuUsage; bytes: number } | undefined;
    for (let done = 0; done < total; done += BATCH) {
      if (done === windowFrom) mark = { cpu: process.cpuUsage(), bytes: bytesWritten() };
      const batch: AppendRequest[] = [];
      for (let i = 0; i < BATCH; i++) {
        const s = streams[(done + i) % MEETINGS]!;
        batch.push({
          streamId: s.streamId,
          expected: s.revision < 0 ? 'no_stream' : s.revision,
          events: [chatEvent(s.meetingId, eventId())],
        });
      }
      write(batch).forEach((outcome, i) => {
        if (!('written' in outcome)) throw new Error(`append refused: ${JSON.stringify(outcome)}`);
        streams[(done + i) % MEETINGS]!.revision = outcome.written.nextExpectedRevision;
      });
    }
    const cpu = process.cpuUsage(mark!.cpu);
    const measured = total - windowFrom;
    return {
      ids: label,
      eventsBefore: windowFrom,
      userUsPerAppend: cpu.user / measured,
      systemUsPerAppend: cpu.system / measured,
      bytesWrittenPerAppend: (bytesWritten() - mark!.bytes) / measured,
      databaseMiB: statSync(join(dir, 'events.db')).size / 1048576,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
