import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_EVENT_TYPE } from '../../domain/audit/checkpoint';
import type { ConferError } from '../../domain/shared/errors';
import { eventHash } from '../../domain/shared/hash-chain';
import type { StoredEvent } from '../../domain/shared/envelope';
import { chainOf, scriptedMeeting, sha256, timeAt } from './audit.spec-helper';
import { auditStream } from './chain-audit';
import { createAuditSigner } from './checkpoint-signer';
import { checkpointLine, eventLine, headerLine, parseExport, trailerLine } from './export-format';
import { parseInstant } from './instant';
import { replay } from './replay';
import { emptyIndex, extendIndex, snapshotBefore } from './replay-index';
import { revisionAtTime } from './revision-at-time';
import { stateAtView } from './state-view';
import { outlineOf, targetRevision } from './target-revision';
import { describeEvent, learnNames, newNameBook } from './timeline';

const NOW = Date.parse('2026-12-02T00:00:00Z');
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as ConferError).code;
  }
  return 'no error';
};

describe('state at an instant', () => {
  const events = scriptedMeeting();
  const at = (raw: string) => {
    const revision = targetRevision(parseInstant(raw), outlineOf(events), NOW);
    return stateAtView('m-audit-1', replay(events, revision), events.length - 1, raw);
  };

  it('given the scripted meeting, at 00:35 Ada and Bo are in, nobody waits, one chat', () => {
    const view = at(timeAt(35));
    expect(view.revision).toBe(4);
    expect(view.roster.map((p) => p.displayName)).toEqual(['Ada', 'Bo']);
    expect(view.roster[0]).toMatchObject({ connection: { status: 'connected', node: 'node-a' } });
    expect(view.roster[1]).toMatchObject({ media: { audio: true, video: false, screen: false } });
    expect(view.waitingRoom).toEqual([]);
    expect(view.chat).toMatchObject({ count: 1, lastMessageId: 'm1' });
    expect(view.chat.recent[0]).toMatchObject({ senderName: 'Bo', content: 'hello' });
  });

  it('at 00:55 Cy waits and Bo has a hand up; at 01:15 Cy is in and Ada presents', () => {
    const before = at(timeAt(55));
    expect(before.waitingRoom.map((p) => p.displayName)).toEqual(['Cy']);
    expect(before.roster.find((p) => p.participantId === 'p-bo')?.handRaised).toBe(true);
    const later = at(timeAt(75));
    expect(later.waitingRoom).toEqual([]);
    expect(later.roster.map((p) => p.displayName)).toEqual(['Ada', 'Bo', 'Cy']);
    expect(later.presenterIds).toEqual(['p-ada']);
  });

  it('after the removal Bo is departed; at the end the meeting is ended; revisions work too', () => {
    expect(at(timeAt(91)).departed).toMatchObject([{ displayName: 'Bo', status: 'removed' }]);
    expect(at('13').status).toBe('ended');
    expect(at('0')).toMatchObject({ status: 'active', roster: [], revision: 0 });
    expect(at(timeAt(100)).revision).toBe(13);
  });

  it('refuses instants with no answer, each with its own code naming `at`', () => {
    expect(codeOf(() => at(timeAt(-1)))).toBe('CONFER_AUDIT_BEFORE_CREATION');
    expect(codeOf(() => at(timeAt(101)))).toBe('CONFER_AUDIT_AFTER_END');
    expect(codeOf(() => at('14'))).toBe('CONFER_AUDIT_BEYOND_HEAD');
    for (const bad of ['yesterday', '-1', '1.5', '2026-12-01', '2026-12-01T10:00:00', '1e3'])
      expect(
        codeOf(() => parseInstant(bad)),
        bad,
      ).toBe('CONFER_AUDIT_INSTANT_INVALID');
    const running = events.slice(0, 5);
    expect(codeOf(() => targetRevision(parseInstant('2099-01-01T00:00:00Z'), outlineOf(running), NOW))).toBe(
      'CONFER_AUDIT_BEYOND_HEAD',
    );
    expect(codeOf(() => targetRevision(undefined, outlineOf([]), NOW))).toBe('CONFER_MEETING_NOT_FOUND');
  });

  it('finds the revision of a time by binary search, as a linear scan would', () => {
    for (let s = -5; s <= 105; s += 1) {
      const ms = Date.parse(timeAt(s));
      const linear = events.filter((e) => Date.parse(e.occurredAt) <= ms).pop()?.streamRevision ?? -1;
      expect(revisionAtTime(events, ms), `t=${s}`).toBe(linear);
    }
  });

  it('replays incrementally to the same state as from the start', () => {
    const half = replay(events, 6);
    expect(replay(events, 12, half)).toEqual(replay(events, 12));
  });
});

describe('state at an instant: the recording', () => {
  const R = 'rec_auditrec01';
  const sha = 'a'.repeat(64);
  const settings = {
    muteOnEntry: false,
    videoOffOnEntry: false,
    waitingRoom: false,
    maxParticipants: 10,
    passcodeDigest: null,
  };
  const events = chainOf('m-audit-rec', [
    {
      type: 'MeetingCreated',
      data: { meetingId: 'm-audit-rec', title: 'Recorded', startTime: null, hostUserId: null, settings },
      at: 0,
    },
    { type: 'RecordingStarted', data: { recordingId: R }, at: 10 },
    {
      type: 'RecordingSegmentStored',
      data: {
        recordingId: R,
        trackId: 't1',
        participantId: 'p-ada',
        source: 'camera',
        kind: 'video',
        sequence: 0,
        key: 'recordings/m-audit-rec/rec_auditrec01/tracks/t1/seg_00000.mkv',
        sizeBytes: 10,
      },
      at: 14,
    },
    { type: 'RecordingStopped', data: { recordingId: R, reason: 'host-stopped' }, at: 20 },
    {
      type: 'RecordingAvailable',
      data: {
        recordingId: R,
        key: 'recordings/m-audit-rec/rec_auditrec01/meeting.mp4',
        contentType: 'video/mp4',
        durationSeconds: 10,
        sizeBytes: 1234,
        sha256: sha,
      },
      at: 30,
      actor: { type: 'system', reason: 'recording-pipeline' },
    },
  ]);
  const at = (seconds: number) => {
    const raw = timeAt(seconds);
    const revision = targetRevision(parseInstant(raw), outlineOf(events), NOW);
    return stateAtView('m-audit-rec', replay(events, revision), events.length - 1, raw).recording;
  };

  it('given no recording yet, is null', () => {
    expect(at(5)).toBeNull();
  });
  it('given a recording started and one segment stored, shows it recording with that segment', () => {
    expect(at(15)).toMatchObject({
      recordingId: R,
      status: 'recording',
      segments: 1,
      stoppedAt: null,
      file: null,
    });
  });
  it('given it stopped, shows it processing from the stop', () => {
    expect(at(25)).toMatchObject({ status: 'processing', stoppedAt: timeAt(20), file: null, count: 1 });
  });
  it('given the file stored, shows it available with the file’s hash, as the history vouches for it', () => {
    expect(at(35)).toMatchObject({
      status: 'available',
      file: { sha256: sha, sizeBytes: 1234, durationSeconds: 10 },
    });
  });
});

describe('timeline', () => {
  it('says who did what to whom, and still shows event types it does not know', () => {
    const names = newNameBook();
    const entries = scriptedMeeting().map((e) => {
      learnNames(names, e);
      return describeEvent(e, names);
    });
    expect(entries[7]).toMatchObject({
      summary: 'Ada admitted Cy',
      actor: { name: 'Ada' },
      subject: { name: 'Cy' },
    });
    expect(entries[11]).toMatchObject({ summary: 'Ada removed Bo', node: 'node-a' }); // Ada's socket's node
    expect(entries[4]).toMatchObject({ node: null }); // Bo's socket never said where it was
    expect(entries[10]!.summary).toBe("Ada set Bo's audio off");
    expect(entries[2]).toMatchObject({ node: 'node-a' });
    expect(entries[12]).toMatchObject({
      type: 'SomethingAddedLater',
      summary: 'SomethingAddedLater v1 by Ada about Cy',
      node: 'node-b',
    });
  });
});

describe('verification against signed checkpoints', () => {
  const signer = createAuditSigner(generateKeyPairSync('ed25519').privateKey);
  const withCheckpointAt = (events: StoredEvent[], revision: number) => {
    const signed = signer.sign({
      v: 1,
      meetingId: 'm-audit-1',
      streamId: 'meeting-m-audit-1',
      revision,
      hash: events[revision]!.hash,
      signedAt: timeAt(200),
    });
    const facts = events.map((e) => ({
      type: e.type,
      data: e.data,
      at: (Date.parse(e.occurredAt) - Date.parse(timeAt(0))) / 1000,
      actor: e.actor,
    }));
    return chainOf('m-audit-1', [...facts, { type: CHECKPOINT_EVENT_TYPE, data: signed, at: 200 }]);
  };
  /** Rewrites one event's data and recomputes every hash after it: the chain alone looks intact. */
  const rewrite = (events: StoredEvent[], revision: number, data: unknown): StoredEvent[] => {
    const out = events.map((e) => ({ ...e }));
    out[revision]!.data = data;
    for (let r = revision; r < out.length; r++) {
      const { hash: _h, globalPosition: _p, ...rest } = out[r]!;
      rest.prevHash = r === 0 ? rest.prevHash : out[r - 1]!.hash;
      out[r] = { ...out[r]!, prevHash: rest.prevHash, hash: eventHash(rest, sha256) };
    }
    return out;
  };

  it('an untouched stream with its checkpoint is intact, the checkpoint verified', () => {
    const events = withCheckpointAt(scriptedMeeting(), 13);
    expect(auditStream(events, sha256, signer.publicKey)).toMatchObject({
      intact: true,
      events: 15,
      checkpoints: { count: 1, verified: 1, latest: { revision: 13 } },
    });
  });

  it('a plain edit fails at the edited event', () => {
    const events = withCheckpointAt(scriptedMeeting(), 13);
    events[4] = {
      ...events[4]!,
      data: { messageId: 'm1', senderId: 'p-bo', senderName: 'Bo', content: 'goodbye' },
    };
    expect(auditStream(events, sha256, signer.publicKey)).toMatchObject({
      intact: false,
      brokenAt: 4,
      reason: 'hash-mismatch',
    });
  });

  it('an edit with every later hash recomputed passes the chain but fails at the checkpoint', () => {
    const events = rewrite(withCheckpointAt(scriptedMeeting(), 13), 4, {
      messageId: 'm1',
      senderId: 'p-bo',
      senderName: 'Bo',
      content: 'goodbye',
    });
    const verdict = auditStream(events, sha256, signer.publicKey);
    expect(verdict).toMatchObject({ intact: false, brokenAt: 13, reason: 'checkpoint-mismatch' });
    expect(verdict.checkpoints.verified).toBe(0);
  });

  it('a checkpoint signed with another key does not count', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(auditStream(withCheckpointAt(scriptedMeeting(), 13), sha256, other)).toMatchObject({
      intact: false,
      reason: 'signature-invalid',
    });
  });
});

describe('export', () => {
  const events = scriptedMeeting();
  const file = [
    headerLine({
      meetingId: 'm-audit-1',
      streamId: 'meeting-m-audit-1',
      exportedAt: timeAt(300),
      keyId: 'k',
    }),
    ...events.map(eventLine),
    trailerLine(events.length, 0),
  ].join('\n');

  it('reads back what it wrote', () => {
    const parsed = parseExport(`${file}\n`);
    expect(parsed.events).toEqual(events);
    expect(parsed.header.meetingId).toBe('m-audit-1');
  });

  it('refuses malformed, truncated and mixed files, naming the line', () => {
    const lines = file.split('\n');
    const cases: [string, string][] = [
      ['', 'line 1'],
      [lines.slice(0, -1).join('\n'), `line ${lines.length - 1}`],
      [lines.slice(0, 5).join('\n') + '\n{"kind":"event","ev', 'line 6'],
      [[...lines.slice(0, 3), ...lines.slice(4)].join('\n'), `line ${lines.length - 1}`],
      [['{"kind":"header"}', ...lines.slice(1)].join('\n'), 'line 1'],
      [[lines[0], eventLine({ ...events[1]!, meetingId: 'other' }), ...lines.slice(2)].join('\n'), 'line 2'],
      [
        [
          ...lines.slice(0, -1),
          checkpointLine({ checkpoint: {} as never, signature: 'x' }),
          lines.at(-1),
        ].join('\n'),
        `line ${lines.length}`,
      ],
    ];
    for (const [text, field] of cases) {
      let caught: unknown;
      try {
        parseExport(text);
      } catch (error) {
        caught = error;
      }
      expect((caught as ConferError)?.code, field).toBe('CONFER_AUDIT_EXPORT_INVALID');
      expect((caught as ConferError).field, text.slice(-80)).toBe(field);
    }
  });
});

describe('replay index (snapshots and times)', () => {
  it('given snapshots every 3 revisions, folding from the nearest one equals folding from the start, at every revision', () => {
    const events = scriptedMeeting();
    const index = emptyIndex(3);
    extendIndex(index, events.slice(0, 6));
    extendIndex(index, events.slice(4)); // overlapping reads are harmless
    expect(index.head).toBe(13);
    expect(index.snapshots.map((s) => s.revision)).toEqual([2, 5, 8, 11]);
    expect(index.ended).toMatchObject({ revision: 13 });
    for (let revision = 0; revision <= index.head; revision++) {
      const from = snapshotBefore(index, revision);
      const start = (from?.revision ?? -1) + 1;
      expect(from === undefined || from.revision <= revision).toBe(true);
      expect(replay(events.slice(start), revision, from), `revision ${revision}`).toEqual(
        replay(events, revision),
      );
    }
    expect(index.tip).toEqual(replay(events, 13));
    expect(targetRevision(parseInstant(timeAt(55)), index, NOW)).toBe(
      targetRevision(parseInstant(timeAt(55)), outlineOf(events), NOW),
    );
  });
});
