import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './envelope';
import { GENESIS_HASH, eventHash, verifyChain } from './hash-chain';

const sha256 = (input: string) => createHash('sha256').update(input).digest('hex');

function stream(n: number): StoredEvent[] {
  let prevHash = GENESIS_HASH;
  return Array.from({ length: n }, (_, revision) => {
    const unhashed = {
      eventId: `e${revision}`,
      type: 'ChatMessageSent',
      schemaVersion: 1,
      streamId: 'meeting-m1',
      meetingId: 'm1',
      streamRevision: revision,
      occurredAt: `2026-12-01T10:00:0${revision}Z`,
      actor: { type: 'host' as const },
      correlationId: 'c',
      causationId: 'c',
      data: { content: `message ${revision}` },
      prevHash,
    };
    const hash = eventHash(unhashed, sha256);
    prevHash = hash;
    return { ...unhashed, hash, globalPosition: 100 + revision };
  });
}

describe('verifyChain', () => {
  it('given an untouched stream, answers intact with its head', () => {
    const events = stream(5);
    expect(verifyChain(events, sha256)).toEqual({
      intact: true,
      events: 5,
      head: { revision: 4, hash: events[4]!.hash },
    });
    expect(verifyChain([], sha256)).toEqual({ intact: true, events: 0, head: null });
  });

  it('does not depend on global positions (the store assigns them, not the history)', () => {
    const events = stream(3).map((e) => ({ ...e, globalPosition: e.globalPosition + 1000 }));
    expect(verifyChain(events, sha256).intact).toBe(true);
  });

  it('when an event is edited in place, fails at it with hash-mismatch', () => {
    const events = stream(5);
    events[2] = { ...events[2]!, data: { content: 'forged' } };
    expect(verifyChain(events, sha256)).toMatchObject({
      intact: false,
      brokenAt: 2,
      reason: 'hash-mismatch',
      lastGood: { revision: 1 },
    });
  });

  it('when an event is edited and only its own hash recomputed, fails at the next with link-broken', () => {
    const events = stream(5);
    const { hash: _h, globalPosition: _p, ...rest } = events[2]!;
    const forged = { ...rest, data: { content: 'forged' } };
    events[2] = { ...events[2]!, data: forged.data, hash: eventHash(forged, sha256) };
    expect(verifyChain(events, sha256)).toMatchObject({ intact: false, brokenAt: 3, reason: 'link-broken' });
  });

  it('when an event is removed, fails where revisions stop following each other', () => {
    const events = stream(5);
    events.splice(1, 1);
    expect(verifyChain(events, sha256)).toMatchObject({ intact: false, brokenAt: 2, reason: 'revision-gap' });
  });

  it('uses the hash function it is given', () => {
    const events = stream(2);
    expect(verifyChain(events, (s) => sha256(`x${s}`))).toMatchObject({ intact: false, brokenAt: 0 });
  });
});
