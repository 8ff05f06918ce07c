import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/shared/actor';
import type { EventToAppend, StoredEvent } from '../../domain/shared/envelope';
import { GENESIS_HASH, eventHash, type HashFn } from '../../domain/shared/hash-chain';
import { CurrentVersion, isMeetingEventType } from '../../domain/meeting/meeting.events';

export const sha256: HashFn = (input) => createHash('sha256').update(input).digest('hex');

export interface Fact {
  type: string;
  data: unknown;
  /** Seconds after 10:00:00Z on 2026-12-01. */
  at: number;
  actor?: Actor;
  schemaVersion?: number;
}

export const T0 = Date.parse('2026-12-01T10:00:00Z');
export const timeAt = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A meeting's stream as a store would have written it: revisions, envelope and hash chain. */
export function chainOf(meetingId: string, facts: readonly Fact[]): StoredEvent[] {
  let prevHash = GENESIS_HASH;
  return facts.map((fact, revision) => {
    const unhashed = {
      eventId: `e-${revision}`,
      type: fact.type,
      schemaVersion: fact.schemaVersion ?? (isMeetingEventType(fact.type) ? CurrentVersion[fact.type] : 1),
      streamId: `meeting-${meetingId}`,
      meetingId,
      streamRevision: revision,
      occurredAt: timeAt(fact.at),
      actor: fact.actor ?? ({ type: 'host' } as Actor),
      correlationId: `c-${revision}`,
      causationId: `c-${revision}`,
      data: fact.data,
      prevHash,
    };
    const hash = eventHash(unhashed, sha256);
    prevHash = hash;
    return { ...unhashed, hash, globalPosition: revision + 1 };
  });
}

/** A scripted meeting: Ada hosts, Bo joins, Cy waits and is admitted, chat, hand, screen, end. */
export function scriptedMeeting(meetingId = 'm-audit-1'): StoredEvent[] {
  const ada: Actor = { type: 'participant', participantId: 'p-ada', isHost: true };
  const bo: Actor = { type: 'participant', participantId: 'p-bo', isHost: false };
  const settings = {
    muteOnEntry: false,
    videoOffOnEntry: false,
    waitingRoom: true,
    maxParticipants: 10,
    passcodeDigest: null,
  };
  return chainOf(meetingId, [
    {
      type: 'MeetingCreated',
      data: { meetingId, title: 'Board', startTime: null, hostUserId: null, settings },
      at: 0,
    },
    {
      type: 'ParticipantJoined',
      data: {
        participantId: 'p-ada',
        displayName: 'Ada',
        userId: null,
        role: 'host',
        audioEnabled: true,
        videoEnabled: true,
      },
      at: 10,
      actor: ada,
    },
    {
      type: 'ParticipantConnectionChanged',
      data: { participantId: 'p-ada', connectionStatus: 'connected', nodeId: 'node-a' },
      at: 11,
      actor: ada,
    },
    {
      type: 'ParticipantJoined',
      data: {
        participantId: 'p-bo',
        displayName: 'Bo',
        userId: null,
        role: 'participant',
        audioEnabled: true,
        videoEnabled: false,
      },
      at: 20,
      actor: bo,
    },
    {
      type: 'ChatMessageSent',
      data: { messageId: 'm1', senderId: 'p-bo', senderName: 'Bo', content: 'hello' },
      at: 30,
      actor: bo,
    },
    {
      type: 'ParticipantWaiting',
      data: { participantId: 'p-cy', displayName: 'Cy', userId: null },
      at: 40,
      actor: { type: 'participant', participantId: 'p-cy', isHost: false },
    },
    { type: 'HandRaised', data: { participantId: 'p-bo' }, at: 50, actor: bo },
    { type: 'ParticipantAdmitted', data: { participantId: 'p-cy' }, at: 60, actor: ada },
    {
      type: 'ParticipantJoined',
      data: {
        participantId: 'p-cy',
        displayName: 'Cy',
        userId: null,
        role: 'participant',
        audioEnabled: false,
        videoEnabled: false,
      },
      at: 60,
      actor: ada,
    },
    {
      type: 'MediaStateChanged',
      data: { participantId: 'p-ada', kind: 'screen', enabled: true },
      at: 70,
      actor: ada,
    },
    {
      type: 'MediaStateChanged',
      data: { participantId: 'p-bo', kind: 'audio', enabled: false },
      at: 80,
      actor: ada,
    },
    { type: 'ParticipantRemoved', data: { participantId: 'p-bo' }, at: 90, actor: ada },
    {
      type: 'SomethingAddedLater',
      data: { participantId: 'p-cy', nodeId: 'node-b', colour: 'blue' },
      at: 95,
      actor: ada,
    },
    { type: 'MeetingEnded', data: { reason: 'host-ended' }, at: 100, actor: ada },
  ]);
}

/** Stored facts as the command handler would append them (fresh event ids, the same metadata). */
export function toAppend(facts: readonly StoredEvent[]): EventToAppend[] {
  return facts.map((e) => ({
    eventId: randomUUID(),
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: {
      meetingId: e.meetingId,
      occurredAt: e.occurredAt,
      actor: e.actor,
      correlationId: e.correlationId,
      causationId: e.causationId,
    },
  }));
}
