import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventToAppend } from '../domain/shared/envelope';
import { createSystemClock } from '../infra/clock/system-clock';
import { sha256Hex } from '../infra/event-store/hash-chain';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createAuditService } from '../pipelines/audit/audit-service';
import { auditStream } from '../pipelines/audit/chain-audit';
import { createAuditSigner } from '../pipelines/audit/checkpoint-signer';
import { replay } from '../pipelines/audit/replay';
import { revisionAtTime } from '../pipelines/audit/revision-at-time';

export interface AuditBenchResult {
  events: number;
  readStreamMs: number;
  replayToEndMs: number;
  replayToMiddleMs: number;
  /** With the replay index built (times + a snapshot every 1,000 revisions). */
  indexed: { toEndMs: number; toMiddleMs: number; toMiddleByTimeMs: number; sliderStepMs: number };
  foldOnlyToEndMs: number;
  timeToRevision: { binarySearchUs: number; linearScanUs: number };
  verify: { eventsPerSec: number; bareSha256EventsPerSec: number };
  exportBytesPer1000Events: number;
}

const T0 = Date.parse('2026-12-01T09:00:00Z');

/** A long meeting: 50 people join, then chat, mute/unmute, hands and speaker changes, then the end. */
function script(meetingId: string, count: number): EventToAppend[] {
  const events: EventToAppend[] = [];
  const push = (type: string, schemaVersion: number, data: unknown, participantId?: string) => {
    const n = events.length;
    events.push({
      eventId: `${meetingId}-${n}`,
      type,
      schemaVersion,
      data,
      metadata: {
        meetingId,
        occurredAt: new Date(T0 + n * 50).toISOString(),
        actor: participantId ? { type: 'participant', participantId, isHost: false } : { type: 'host' },
        correlationId: `c${n}`,
        causationId: `c${n}`,
      },
    });
  };
  const settings = {
    muteOnEntry: false,
    videoOffOnEntry: false,
    waitingRoom: false,
    maxParticipants: 500,
    passcodeDigest: null,
  };
  push('MeetingCreated', 1, { meetingId, title: 'All hands', startTime: null, hostUserId: null, settings });
  for (let i = 0; i < 50; i++)
    push(
      'ParticipantJoined',
      1,
      {
        participantId: `p${i}`,
        displayName: `Person ${i}`,
        userId: null,
        role: i === 0 ? 'host' : 'participant',
        audioEnabled: true,
        videoEnabled: true,
      },
      `p${i}`,
    );
  while (events.length < count - 1) {
    const n = events.length;
    const p = `p${n % 50}`;
    switch (n % 5) {
      case 0:
      case 1:
        push(
          'ChatMessageSent',
          1,
          {
            messageId: `m${n}`,
            senderId: p,
            senderName: `Person ${n % 50}`,
            content: `message number ${n} about the quarterly plan`,
          },
          p,
        );
        break;
      case 2:
        push('MediaStateChanged', 1, { participantId: p, kind: 'audio', enabled: n % 2 === 0 }, p);
        break;
      case 3:
        push(n % 2 === 0 ? 'HandRaised' : 'HandLowered', 1, { participantId: p }, p);
        break;
      default:
        push('ActiveSpeakerChanged', 1, { participantId: p });
    }
  }
  push('MeetingEnded', 1, { reason: 'host-ended' });
  return events;
}

const time = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};

/** Replay, verification and export of one meeting of `count` events in a SQLite store. */
export async function benchAudit(count: number): Promise<AuditBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'confer-bench-audit-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  try {
    const meetingId = 'bench-audit-meeting';
    const streamId = `meeting-${meetingId}`;
    const all = script(meetingId, count);
    for (let i = 0; i < all.length; i += 1000)
      await store.append(streamId, all.slice(i, i + 1000), {
        expectedRevision: i === 0 ? 'no_stream' : i - 1,
      });
    const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);
    const audit = createAuditService({
      store,
      clock: createSystemClock(),
      hashFn: sha256Hex,
      publicKey: signer.publicKey,
      keyId: signer.keyId,
    });

    const [events, readStreamMs] = await time(() => store.readStream(streamId));
    const [, foldOnlyToEndMs] = await time(() => replay(events, events.length - 1));
    // Cold: nothing kept of the meeting, so its whole stream is read and folded (once).
    const middle = Math.floor(count / 2);
    audit.forget(meetingId);
    const [, replayToEndMs] = await time(() => audit.stateAt(meetingId, undefined));
    audit.forget(meetingId);
    const [, replayToMiddleMs] = await time(() => audit.stateAt(meetingId, String(middle)));
    // Warm: the index built by that request; each further request reads what was appended
    // since (nothing here) and at most 1,000 events from the nearest snapshot.
    const [, toEndMs] = await time(() => audit.stateAt(meetingId, undefined));
    const [, toMiddleMs] = await time(() => audit.stateAt(meetingId, String(middle + 500)));
    const [, toMiddleByTimeMs] = await time(() =>
      audit.stateAt(meetingId, new Date(T0 + middle * 50 + 25).toISOString()),
    );
    const steps = 20;
    const [, sliderMs] = await time(async () => {
      for (let i = 0; i < steps; i++) await audit.stateAt(meetingId, String(middle + i * 37));
    });

    const probes = Array.from({ length: 200 }, (_, i) => T0 + ((i * 7919) % count) * 50 + 25);
    const [, binaryMs] = await time(() => probes.forEach((ms) => revisionAtTime(events, ms)));
    const [, linearMs] = await time(() =>
      probes.forEach((ms) => {
        let found = -1;
        for (const e of events) if (Date.parse(e.occurredAt) <= ms) found = e.streamRevision;
        return found;
      }),
    );

    const [, verifyMs] = await time(() => auditStream(events, sha256Hex, signer.publicKey));
    const bytes = events.map((e) => JSON.stringify(e));
    const [, bareMs] = await time(() => bytes.forEach((b) => createHash('sha256').update(b).digest('hex')));

    const exportBytes = Buffer.byteLength(await audit.exportText(meetingId));
    return {
      events: events.length,
      readStreamMs,
      replayToEndMs,
      replayToMiddleMs,
      indexed: { toEndMs, toMiddleMs, toMiddleByTimeMs, sliderStepMs: sliderMs / steps },
      foldOnlyToEndMs,
      timeToRevision: {
        binarySearchUs: (binaryMs * 1000) / probes.length,
        linearScanUs: (linearMs * 1000) / probes.length,
      },
      verify: {
        eventsPerSec: (events.length * 1000) / verifyMs,
        bareSha256EventsPerSec: (events.length * 1000) / bareMs,
      },
      exportBytesPer1000Events: (exportBytes * 1000) / events.length,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
