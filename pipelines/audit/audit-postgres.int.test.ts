import { generateKeyPairSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../domain/ports/event-store';
import { createSystemClock } from '../../infra/clock/system-clock';
import { eventHash, sha256Hex } from '../../infra/event-store/hash-chain';
import { createPostgresEventStore } from '../../infra/event-store/postgres-event-store';
import { startPostgres, type PostgresServer } from '../../test/support/postgres-server';
import { scriptedMeeting, toAppend } from './audit.spec-helper';
import { createAuditService } from './audit-service';
import { createAuditCheckpointer } from './checkpointer';
import { createAuditSigner } from './checkpoint-signer';

/**
 * Tampering with a meeting's history in PostgreSQL, as someone with write access to the database
 * would: verification must fail exactly at the edited event, and, when every later hash is
 * recomputed, at the first checkpoint signed after the edit.
 */
const SLOW = 180_000;
let server: PostgresServer;
let store: EventStore;
const schema = `audit_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const meetingId = 'm-audit-pg';
const streamId = `meeting-${meetingId}`;
const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);

async function sql<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  server = await startPostgres();
  store = await createPostgresEventStore({ connectionString: server.url, schema });
  // The scripted meeting, appended as the command handler would, then signed by the checkpointer.
  const facts = scriptedMeeting(meetingId);
  const stored = await store.append(streamId, toAppend(facts), { expectedRevision: 'no_stream' });
  const signedUpTo = new Map<string, number>();
  const checkpointer = createAuditCheckpointer({
    store,
    signer,
    clock: createSystemClock(),
    intervalMs: 60_000,
    logger: { warn: (details, message) => console.warn(message, details) },
    signedUpTo: {
      load: async (id) => signedUpTo.get(id) ?? -1,
      saveAll: async (revisions) => revisions.forEach((revision, id) => signedUpTo.set(id, revision)),
    },
  });
  await checkpointer.handle(stored.events);
  await checkpointer.stop();
}, SLOW);
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

const audit = () =>
  createAuditService({
    store,
    clock: createSystemClock(),
    hashFn: sha256Hex,
    publicKey: signer.publicKey,
    keyId: signer.keyId,
  });

describe('tampering with PostgreSQL', () => {
  it('the untouched stream is intact, its end signed', async () => {
    expect(await audit().verify(meetingId)).toMatchObject({
      intact: true,
      events: 15,
      checkpoints: { count: 1, verified: 1, latest: { revision: 13 } },
    });
  });

  it('a plain edit fails at the edited event; recomputing every later hash fails at the checkpoint', async () => {
    const chatRevision = 4;
    await sql(`UPDATE "${schema}".events SET data = $1::json WHERE stream_id = $2 AND stream_revision = $3`, [
      JSON.stringify({ messageId: 'm1', senderId: 'p-bo', senderName: 'Bo', content: 'I resign' }),
      streamId,
      chatRevision,
    ]);
    expect(await audit().verify(meetingId)).toMatchObject({
      intact: false,
      brokenAt: chatRevision,
      reason: 'hash-mismatch',
    });

    const rows = await store.readStream(streamId);
    let prev = rows[chatRevision - 1]!.hash;
    for (const row of rows.slice(chatRevision)) {
      const { hash: _h, globalPosition, ...rest } = row;
      const hash = eventHash({ ...rest, prevHash: prev });
      await sql(`UPDATE "${schema}".events SET prev_hash = $1, hash = $2 WHERE global_position = $3`, [
        prev,
        hash,
        globalPosition,
      ]);
      prev = hash;
    }
    const verdict = await audit().verify(meetingId);
    expect(verdict).toMatchObject({ intact: false, brokenAt: 13, reason: 'checkpoint-mismatch' });
    expect(verdict.checkpoints.verified).toBe(0);
  });
});
