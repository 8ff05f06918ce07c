import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import type { EventStore } from '../../domain/ports/event-store';
import { sqliteThreadSettings } from './read-models.spec-helper';
import { startReadModelsThread, type ReadModelsSettings, type ReadModelsThread } from './read-models-thread';

/** Every thread of this process, with its niceness (on Linux each thread has its own). */
const nicenessByThread = (): Map<number, number> =>
  new Map(readdirSync('/proc/self/task').map((tid) => [Number(tid), getPriority(Number(tid))]));

/**
 * A thread's scheduling policy (/proc/<pid>/task/<tid>/stat, field 41: 0 normal, 5 SCHED_IDLE).
 * The fields are counted after the command name, which may hold spaces and parentheses.
 */
const policyOf = (tid: number): number => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
};
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

let dir: string;
let events: EventStore;
let thread: ReadModelsThread | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'confer-priority-'));
  events = createSqliteEventStore({ path: join(dir, 'events.db') });
});
afterEach(async () => {
  await thread?.close().catch(() => undefined);
  thread = undefined;
  await events.close();
  rmSync(dir, { recursive: true, force: true });
});

const settings = (feed: Partial<ReadModelsSettings>) => sqliteThreadSettings(dir, { niceness: 19, ...feed });

describe.runIf(process.platform === 'linux')("the read models thread's priority", () => {
  it('runs at the configured niceness when it follows the event store, and the server thread keeps its own', async () => {
    const before = nicenessByThread();
    expect(before.get(process.pid)).toBe(0);
    await events.headPosition();
    thread = await startReadModelsThread(
      settings({ tail: { eventsPath: join(dir, 'events.db'), batchSize: 250, lingerMs: 5, idlePollMs: 5 } }),
    );
    const after = nicenessByThread();
    const lowered = [...after].filter(([tid, nice]) => nice === 19 && !before.has(tid));
    // The read models' thread, and the threads it starts (its projection store's WAL checkpointer,
    // which inherits its niceness once running), never any other.
    expect(lowered.length).toBeGreaterThanOrEqual(1);
    // The event loop and every thread that was there before are unchanged.
    expect(after.get(process.pid)).toBe(0);
    for (const [tid, nice] of before) if (after.has(tid)) expect(after.get(tid)).toBe(nice);
    // Not asked for the idle policy: it keeps the normal one.
    for (const [tid] of lowered) expect(policyOf(tid)).toBe(SCHED_OTHER);
  });

  it('also runs under SCHED_IDLE when asked, and no other thread does', async () => {
    const before = nicenessByThread();
    await events.headPosition();
    thread = await startReadModelsThread(
      settings({
        idlePolicy: true,
        tail: { eventsPath: join(dir, 'events.db'), batchSize: 250, lingerMs: 5, idlePollMs: 5 },
      }),
    );
    const started = [...nicenessByThread().keys()].filter((tid) => !before.has(tid));
    const idle = started.filter((tid) => policyOf(tid) === SCHED_IDLE);
    expect(idle.length).toBeGreaterThanOrEqual(1);
    // Only the thread set itself (and what it started after): the lowered ones, never another.
    for (const tid of idle) expect(getPriority(tid)).toBe(19);
    expect(policyOf(process.pid)).toBe(SCHED_OTHER);
    for (const tid of before.keys()) if (nicenessByThread().has(tid)) expect(policyOf(tid)).toBe(SCHED_OTHER);
  });

  it('takes neither niceness nor the idle policy at niceness 0 (the tests, an equal share)', async () => {
    const before = nicenessByThread();
    await events.headPosition();
    thread = await startReadModelsThread(
      settings({
        niceness: 0,
        idlePolicy: true,
        tail: { eventsPath: join(dir, 'events.db'), batchSize: 250, lingerMs: 5, idlePollMs: 5 },
      }),
    );
    const started = [...nicenessByThread().keys()].filter((tid) => !before.has(tid));
    expect(started.length).toBeGreaterThanOrEqual(1);
    for (const tid of started) expect(policyOf(tid)).toBe(SCHED_OTHER);
  });

  it('keeps normal priority when the server hands it the batches (broadcasts would wait for it)', async () => {
    const before = nicenessByThread();
    thread = await startReadModelsThread(settings({}));
    expect(thread.consumes).toBe(false);
    expect([...nicenessByThread()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice)).not.toContain(
      19,
    );
  });
});
