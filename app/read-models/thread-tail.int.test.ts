import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../domain/ports/event-store';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { readLog } from '../../pipelines/analytics/analytics-log';
import { chatPage } from '../../projections/chat-history/chat-history.queries';
import { chatToAppend } from '../../test/support/chat-event';
import { eventually } from '../../test/support/eventually';
import type { ReadModelTarget } from './read-models-messages';
import { sqliteThreadSettings } from './read-models.spec-helper';
import { startReadModelsThread, type ReadModelsThread } from './read-models-thread';

const chat = (meetingId: string, content: string) =>
  chatToAppend(meetingId, { content, senderId: 'p-1', senderName: 'Zoë' });

let dir: string;
let events: EventStore;
const threads: ReadModelsThread[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'confer-tail-'));
  events = createSqliteEventStore({ path: join(dir, 'events.db') });
});
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close().catch(() => undefined)));
  await events.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startThread(batchSize = 250) {
  const thread = await startReadModelsThread(
    sqliteThreadSettings(dir, {
      tail: { eventsPath: join(dir, 'events.db'), batchSize, lingerMs: 5, idlePollMs: 5 },
    }),
  );
  threads.push(thread);
  const applied: Record<ReadModelTarget, number> = { projections: 0, analytics: 0 };
  let projected = 0;
  /** The position each target last reported committed (the server's confer_read_models_position). */
  const position: Record<ReadModelTarget, number> = { projections: 0, analytics: 0 };
  thread.onApplied((target, n, _report, at) => {
    applied[target] += n;
    position[target] = at;
  });
  thread.onProjected(() => (projected += 1));
  expect(thread.consumes).toBe(true);
  await events.headPosition();
  await thread.consume();
  return { thread, applied, position, projected: () => projected };
}

/** Appends `contents` to a meeting's stream, one append each, as the command handler would. */
async function say(meetingId: string, contents: string[], from: number): Promise<void> {
  for (const [i, content] of contents.entries())
    await events.append(`meeting-${meetingId}`, [chat(meetingId, content)], {
      expectedRevision: from + i - 1,
    });
}

describe('the read models thread following the SQLite event store', () => {
  it('applies what was written before it started and what is written after, each event once, across a restart', async () => {
    const meetings = [randomUUID(), randomUUID()];
    await say(meetings[0]!, ['a0', 'a1'], 0);
    await say(meetings[1]!, ['b0'], 0);

    const first = await startThread(2);
    await eventually('both targets to apply the 3 events written before', () =>
      first.applied.projections === 3 && first.applied.analytics === 3 ? true : undefined,
    );
    // Written while it follows: seen without anything handed over (batches of at most 2).
    await say(meetings[0]!, ['a2', 'a3', 'a4'], 2);
    await eventually('both targets to apply the 3 events written after', () =>
      first.applied.projections === 6 && first.applied.analytics === 6 ? true : undefined,
    );
    expect(first.projected()).toBeGreaterThan(0);
    // Each target reports the store's head as committed once it has everything.
    const head = await events.headPosition();
    expect(first.position).toEqual({ projections: head, analytics: head });
    await first.thread.close();

    // Stopped, more written, started again: it goes on from where its read models were.
    await say(meetings[1]!, ['b1', 'b2'], 1);
    const second = await startThread();
    await eventually('the restarted thread to apply only the 2 new events', () =>
      second.applied.projections === 2 && second.applied.analytics === 2 ? true : undefined,
    );
    expect(second.position).toEqual({ projections: head + 2, analytics: head + 2 });

    const store = createSqliteProjectionStore({ path: join(dir, 'read-models.db') });
    try {
      const contents = async (meetingId: string) =>
        (await chatPage(store, meetingId, { limit: 10 })).messages.map((m) => m.content);
      expect(await contents(meetings[0]!)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
      expect(await contents(meetings[1]!)).toEqual(['b0', 'b1', 'b2']);
      // The analysts' log holds one record per chat: nothing applied twice across the restart.
      const log = await readLog(store, 0, 100);
      expect(log.records.map((r) => (r.record.data as { content: string }).content).sort()).toEqual([
        'a0',
        'a1',
        'a2',
        'a3',
        'a4',
        'b0',
        'b1',
        'b2',
      ]);
    } finally {
      await store.close();
    }
  }, 30_000);
});
