import type { MeetingCommand } from '../domain/meeting/meeting.commands';
import type { MeetingSettings } from '../domain/meeting/meeting.events';
import { createMeetingCommandHandler, type MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { Clock } from '../domain/ports/clock';
import type { EventStore } from '../domain/ports/event-store';
import type { Ids } from '../domain/ports/ids';
import type { ProjectionReader, ProjectionStore } from '../domain/ports/projection-store';
import type { Actor } from '../domain/shared/actor';
import type { StoredEvent } from '../domain/shared/envelope';
import { LEGACY_CHECKPOINTS, MEETING_CHECKPOINTS, POSITIONS } from './checkpoints';
import { allProjections } from './index';
import { createProjectionRunner, type Projection, type ProjectionRunner } from './projection';

/**
 * Given/when/then support for projection specs: commands go through the real meeting decider and
 * command handler into a real event store, and the stored events are handed to a real runner over
 * a real projection store. The caller builds the adapters (tests may import infra/; this file,
 * living in projections/, may not).
 */
export interface ProjectionSpecWorld {
  events: EventStore;
  store: ProjectionStore;
  runner: ProjectionRunner;
  meetings: MeetingCommandHandler;
  /** Given: runs a command through the decider; the appended events are stored, not yet projected. */
  command(meetingId: string, command: MeetingCommand, actor: Actor): Promise<StoredEvent[]>;
  /** Every stored event, oldest first. */
  history(): Promise<StoredEvent[]>;
  /** When: hands the runner every stored event it has not been given yet, as one batch. */
  project(): Promise<void>;
  close(): Promise<void>;
}

export function projectionSpecWorld(deps: {
  events: EventStore;
  store: ProjectionStore;
  projections?: Projection[];
}): ProjectionSpecWorld {
  const { events, store } = deps;
  const runner = createProjectionRunner({ store, projections: deps.projections ?? allProjections() });
  const meetings = createMeetingCommandHandler({
    store: events,
    ids: sequentialIds(),
    clock: steppingClock(),
  });
  let projected = 0;

  async function history(): Promise<StoredEvent[]> {
    return events.readAll({ after: 0, maxCount: 1_000_000 });
  }

  return {
    events,
    store,
    runner,
    meetings,
    async command(meetingId, command, actor) {
      return (await meetings.handle(meetingId, command, { actor })).events;
    },
    history,
    async project() {
      const batch = await events.readAll({ after: projected, maxCount: 1_000_000 });
      await runner.handle(batch);
      if (batch.length > 0) projected = batch[batch.length - 1]!.globalPosition;
    },
    async close() {
      await store.close();
      await events.close();
    },
  };
}

/** Readable, unique ids: `event-1`, `event-2`, … */
export function sequentialIds(prefix = ''): Ids {
  let n = 0;
  const next = (kind: string) => `${prefix}${kind}-${++n}`;
  return {
    eventId: () => next('event'),
    meetingId: () => next('meeting'),
    participantId: () => next('participant'),
    messageId: () => next('message'),
  };
}

/** A clock that moves one second per reading, so every command has its own distinct time. */
export function steppingClock(start = '2026-03-02T09:00:00.000Z', stepMs = 1000): Clock {
  let t = Date.parse(start) - stepMs;
  return { now: () => new Date((t += stepMs)) };
}

export const meetingSettings = (overrides: Partial<MeetingSettings> = {}): MeetingSettings => ({
  muteOnEntry: false,
  videoOffOnEntry: false,
  waitingRoom: false,
  maxParticipants: 100,
  passcodeDigest: null,
  ...overrides,
});

export const createMeeting = (
  meetingId: string,
  overrides: { title?: string; hostUserId?: string | null; settings?: Partial<MeetingSettings> } = {},
): MeetingCommand => ({
  type: 'CreateMeeting',
  meetingId,
  title: overrides.title ?? `Meeting ${meetingId}`,
  startTime: null,
  hostUserId: overrides.hostUserId === undefined ? 'user-host' : overrides.hostUserId,
  settings: meetingSettings(overrides.settings),
});

/** A hand-made stored event, for specs that need exact revisions and positions. */
export function storedEvent(
  fields: Pick<StoredEvent, 'meetingId' | 'streamRevision' | 'globalPosition' | 'type' | 'data'> &
    Partial<StoredEvent>,
): StoredEvent {
  return {
    eventId: `event-${fields.globalPosition}`,
    schemaVersion: 1,
    streamId: `meeting-${fields.meetingId}`,
    occurredAt: new Date(Date.UTC(2026, 2, 2, 9, 0, fields.globalPosition)).toISOString(),
    actor: { type: 'system', reason: 'spec' },
    correlationId: `correlation-${fields.globalPosition}`,
    causationId: `causation-${fields.globalPosition}`,
    prevHash: '',
    hash: '',
    ...fields,
  };
}

const participant = (participantId: string, isHost = false): Actor => ({
  type: 'participant',
  participantId,
  isHost,
});
const hostToken: Actor = { type: 'host' };
const sfu: Actor = { type: 'system', reason: 'sfu' };

export const join = (participantId: string, displayName = participantId.toUpperCase()): MeetingCommand => ({
  type: 'JoinMeeting',
  participantId,
  displayName,
  userId: null,
  passcodeDigest: null,
  audioEnabled: true,
  videoEnabled: true,
});

export const actors = { participant, host: hostToken, sfu };

/**
 * A morning of meetings touching every event type: a stand-up that ends, a waiting-room review
 * that stays open with chat, hands, media, speakers, a removal and a denial, and an empty meeting.
 */
export async function busyMorning(world: ProjectionSpecWorld): Promise<void> {
  const c = (meetingId: string, command: MeetingCommand, actor: Actor) =>
    world.command(meetingId, command, actor);

  await c('standup', createMeeting('standup', { title: 'Stand-up' }), hostToken);
  await c('standup', join('ann'), hostToken);
  await c('standup', join('bob'), participant('bob'));
  await c('standup', join('cid'), participant('cid'));
  await c('standup', { type: 'SendChatMessage', messageId: 'm1', content: 'morning!' }, participant('bob'));
  await c('standup', { type: 'ChangeActiveSpeaker', participantId: 'bob' }, sfu);
  await c('standup', { type: 'RaiseHand', participantId: 'cid' }, participant('cid'));
  await c('standup', { type: 'LeaveMeeting', participantId: 'bob', reason: 'left' }, participant('bob'));

  await c('review', createMeeting('review', { title: 'Review', settings: { waitingRoom: true } }), hostToken);
  await c('review', join('hana'), hostToken);
  await c('review', join('ivo'), participant('ivo'));
  await c('review', join('jon'), participant('jon'));
  await c('review', join('kim'), participant('kim'));
  await c('review', { type: 'AdmitParticipant', participantId: 'ivo' }, hostToken);
  await c('review', { type: 'AdmitParticipant', participantId: 'jon' }, hostToken);
  await c('review', { type: 'DenyParticipant', participantId: 'kim' }, hostToken);

  await c('standup', { type: 'SendChatMessage', messageId: 'm2', content: 'bye' }, participant('cid'));
  await c('standup', { type: 'EndMeeting' }, hostToken);

  await c(
    'review',
    { type: 'SetConnectionStatus', participantId: 'ivo', connectionStatus: 'connected' },
    sfu,
  );
  await c(
    'review',
    { type: 'ChangeMediaState', participantId: 'ivo', kind: 'screen', enabled: true },
    participant('ivo'),
  );
  await c(
    'review',
    { type: 'ChangeMediaState', participantId: 'jon', kind: 'audio', enabled: false },
    hostToken,
  );
  await c(
    'review',
    {
      type: 'PublishMedia',
      participantId: 'ivo',
      producerId: 'prod-1',
      source: 'screen',
      kind: 'video',
      paused: false,
    },
    participant('ivo'),
  );
  for (let i = 1; i <= 5; i++) {
    await c(
      'review',
      { type: 'SendChatMessage', messageId: `r${i}`, content: `point ${i}` },
      participant(i % 2 ? 'ivo' : 'jon'),
    );
  }
  await c('review', { type: 'RaiseHand', participantId: 'jon' }, participant('jon'));
  await c('review', { type: 'ChangeActiveSpeaker', participantId: 'jon' }, sfu);
  await c('review', { type: 'RemoveParticipant', participantId: 'jon' }, hostToken);
  await c(
    'review',
    { type: 'SetConnectionStatus', participantId: 'ivo', connectionStatus: 'reconnecting' },
    sfu,
  );

  await c(
    'empty',
    createMeeting('empty', { title: 'Nobody came', settings: { passcodeDigest: 'digest' } }),
    hostToken,
  );
}

export interface DumpedDoc {
  collection: string;
  key: string;
  doc: unknown;
}

/** Every document of the projections' collections and of the checkpoints, in a stable order. */
export async function dumpReadModels(
  reader: ProjectionReader,
  projections: readonly Projection[] = allProjections(),
): Promise<DumpedDoc[]> {
  const collections = [
    ...projections.flatMap((p) => p.collections),
    MEETING_CHECKPOINTS,
    LEGACY_CHECKPOINTS,
    POSITIONS,
  ];
  const dump: DumpedDoc[] = [];
  for (const collection of collections) {
    let cursor: string | undefined;
    for (;;) {
      const page = await reader.scan(collection, {
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      dump.push(...page.map((e) => ({ collection, key: e.key, doc: e.doc })));
      if (page.length < 1000) break;
      cursor = page[page.length - 1]!.key;
    }
  }
  return dump;
}
