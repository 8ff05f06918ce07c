import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../domain/ports/event-store';
import { createSystemClock } from '../../infra/clock/system-clock';
import { sha256Hex } from '../../infra/event-store/hash-chain';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { scriptedMeeting } from './audit.spec-helper';
import { createAuditService, type AuditService } from './audit-service';
import { createAuditSigner } from './checkpoint-signer';
import { parseExport } from './export-format';
import { replay } from './replay';
import { stateAtView } from './state-view';
import { describeEvent, learnNames, newNameBook } from './timeline';

/**
 * The audit service over a real SQLite store with snapshots every 3 revisions: whatever it keeps
 * between requests, its answers equal a fold and a description from the stream's start.
 */
const meetingId = 'm-audit-service';
let dir: string;
let store: EventStore;
let audit: AuditService;
const script = scriptedMeeting(meetingId);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confer-audit-service-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);
  audit = createAuditService({
    store,
    clock: createSystemClock(),
    hashFn: sha256Hex,
    publicKey: signer.publicKey,
    keyId: signer.keyId,
    snapshotEvery: 3,
  });
  const append = (from: number, to: number) =>
    store.append(
      `meeting-${meetingId}`,
      script.slice(from, to).map((e) => ({
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        data: e.data,
        metadata: {
          meetingId,
          occurredAt: e.occurredAt,
          actor: e.actor,
          correlationId: 'c',
          causationId: 'c',
        },
      })),
      { expectedRevision: 'any' },
    );
  await append(0, 7);
  await audit.stateAt(meetingId, undefined); // the index is built on the first part...
  await append(7, script.length); // ...and extended with the rest on the next request
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('audit service with its replay index', () => {
  it('answers every revision as a fold from the start would', async () => {
    const stored = await store.readStream(`meeting-${meetingId}`);
    for (let revision = 0; revision < stored.length; revision++) {
      const expected = stateAtView(meetingId, replay(stored, revision), stored.length - 1, String(revision));
      expect(await audit.stateAt(meetingId, String(revision)), `revision ${revision}`).toEqual(expected);
    }
  });

  it('pages the timeline as a description from the start would, whatever the page size', async () => {
    const stored = await store.readStream(`meeting-${meetingId}`);
    const book = newNameBook();
    const expected = stored.map((e) => (learnNames(book, e), describeEvent(e, book)));
    for (const limit of [1, 2, 5, 100]) {
      const entries = [];
      let after: number | null = -1;
      while (after !== null) {
        const page: Awaited<ReturnType<AuditService['timeline']>> = await audit.timeline(meetingId, {
          after,
          limit,
        });
        entries.push(...page.entries);
        after = page.next;
      }
      expect(entries, `limit ${limit}`).toEqual(expected);
    }
  });

  it('exports page by page what the stream holds, whatever the page size', async () => {
    const stored = await store.readStream(`meeting-${meetingId}`);
    for (const pageSize of [4, 7, 1000]) {
      let text = '';
      for await (const chunk of await audit.exportStream(meetingId, pageSize)) text += chunk;
      expect(parseExport(text).events, `page size ${pageSize}`).toEqual(stored);
    }
    await expect(audit.exportStream('no-such-meeting')).rejects.toMatchObject({
      code: 'CONFER_MEETING_NOT_FOUND',
    });
  });
});
