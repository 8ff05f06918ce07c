import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVENT_TYPE, SignedCheckpointSchema } from '../../domain/audit/checkpoint';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { sha256Hex } from '../../infra/event-store/hash-chain';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { scriptedMeeting } from './audit.spec-helper';
import { auditStream } from './chain-audit';
import { createAuditCheckpointer } from './checkpointer';
import { createAuditSigner } from './checkpoint-signer';

/** The checkpointer against a real SQLite store, driven as the bus would drive it, on a clock we turn. */
const meetingId = 'm-checkpoints';
const streamId = `meeting-${meetingId}`;
const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);
let dir: string;
let store: EventStore;
let now: number;
const clock: Clock = { now: () => new Date(now) };
const signedUpTo = new Map<string, number>();

const checkpointer = () =>
  createAuditCheckpointer({
    store,
    signer,
    clock,
    intervalMs: 60_000,
    logger: { warn: (details, message) => console.warn(message, details) },
    signedUpTo: {
      load: async (id) => signedUpTo.get(id) ?? -1,
      save: async (id, revision) => void signedUpTo.set(id, revision),
    },
  });

/** Appends facts of the scripted meeting as the command handler would; returns them as stored. */
async function append(from: number, to: number): Promise<StoredEvent[]> {
  const facts = scriptedMeeting(meetingId).slice(from, to);
  const result = await store.append(
    streamId,
    facts.map((e) => ({
      eventId: randomUUID(),
      type: e.type,
      schemaVersion: e.schemaVersion,
      data: e.data,
      metadata: { meetingId, occurredAt: e.occurredAt, actor: e.actor, correlationId: 'c', causationId: 'c' },
    })),
    { expectedRevision: 'any' },
  );
  return result.events;
}

const checkpoints = async () =>
  (await store.readStream(streamId))
    .filter((e) => e.type === CHECKPOINT_EVENT_TYPE)
    .map((e) => SignedCheckpointSchema.parse(e.data).checkpoint.revision);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'confer-checkpointer-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  now = Date.parse('2026-12-01T10:00:00Z');
  signedUpTo.clear();
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit checkpointer', () => {
  it('signs a running meeting once the interval passed, not before, and never its own checkpoints', async () => {
    const c = checkpointer();
    await c.handle(await append(0, 5));
    await c.tick();
    expect(await checkpoints()).toEqual([]);
    now += 61_000;
    await c.tick();
    expect(await checkpoints()).toEqual([4]);
    // Its own checkpoint comes back on the bus: noted, not signed again.
    await c.handle((await store.readStream(streamId, { fromRevision: 5 })).slice(0, 1));
    now += 61_000;
    await c.tick();
    expect(await checkpoints()).toEqual([4]);
    await c.stop();
  });

  it('signs at the end at once; a restarted checkpointer given the same events signs nothing twice', async () => {
    const c = checkpointer();
    await c.handle(await append(0, 5));
    const rest = await append(5, 14);
    await c.handle(rest);
    const head = rest[rest.length - 1]!.streamRevision;
    expect(await checkpoints()).toEqual([head]);
    await c.stop();

    const again = checkpointer();
    await again.handle(await store.readStream(streamId));
    now += 3_600_000;
    await again.tick();
    expect(await checkpoints()).toEqual([head]);
    await again.stop();

    expect(auditStream(await store.readStream(streamId), sha256Hex, signer.publicKey)).toMatchObject({
      intact: true,
      checkpoints: { count: 1, verified: 1, latest: { revision: head } },
    });
  });
});
