import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEventStoreContract, newEvent } from '../../test/contracts/event-store.contract';
import { createSqliteEventStore } from './sqlite-event-store';

const dir = mkdtempSync(join(tmpdir(), 'confer-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEventStoreContract('SQLite (file, WAL)', async () =>
  createSqliteEventStore({ path: join(dir, `${randomUUID()}.db`) }),
);

describe('SQLite event store durability', () => {
  it('keeps every acknowledged event across a close and reopen', async () => {
    const path = join(dir, 'durable.db');
    const store = createSqliteEventStore({ path });
    const meetingId = randomUUID();
    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.append(`meeting-${meetingId}-${i}`, [newEvent(meetingId)], { expectedRevision: 'no_stream' }),
      ),
    );
    await store.close();
    const reopened = createSqliteEventStore({ path });
    const all = await reopened.readAll({ after: 0, maxCount: 100 });
    expect(all.map((e) => e.eventId).sort()).toEqual(acks.map((a) => a.events[0]!.eventId).sort());
    await reopened.close();
  });

  it('sees appends made by another connection to the same file (fallback poll)', async () => {
    const path = join(dir, 'shared.db');
    const reader = createSqliteEventStore({ path, pollMs: 50 });
    const writer = createSqliteEventStore({ path });
    const meetingId = randomUUID();
    const seen: string[] = [];
    const sub = reader.subscribeToAll({
      after: 0,
      onEvents: (events) => void seen.push(...events.map((e) => e.eventId)),
    });
    const appended = await writer.append(`meeting-${meetingId}`, [newEvent(meetingId)], {
      expectedRevision: 'no_stream',
    });
    const start = Date.now();
    while (seen.length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await sub.close();
    expect(seen).toEqual([appended.events[0]!.eventId]);
    await writer.close();
    await reader.close();
  });
});
