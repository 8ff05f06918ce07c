import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../domain/shared/envelope';
import { projectionSpecWorlds } from '../../test/support/projection-spec-worlds';
import { actors, busyMorning, createMeeting, join, storedEvent } from '../projection.spec-helper';
import { getParticipant, getRoster } from './roster.queries';

const { backends, given } = projectionSpecWorlds('roster');

const { participant, host, sfu } = actors;
const occurredAt = (events: StoredEvent[]) => events[events.length - 1]!.occurredAt;

describe.each(backends)('roster on $name', (backend) => {
  it('lists who joined, in joining order, with role and media on entry', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1', { settings: { videoOffOnEntry: true } }), host);
    const hostJoin = await world.command('m1', join('hana', 'Hana'), host);
    const annJoin = await world.command('m1', join('ann', 'Ann'), participant('ann'));
    await world.project();

    expect(await getRoster(world.store, 'm1')).toEqual({
      meetingId: 'm1',
      activeSpeakerId: null,
      participants: [
        {
          participantId: 'hana',
          displayName: 'Hana',
          userId: null,
          role: 'host',
          status: 'joined',
          joinTime: occurredAt(hostJoin),
          leftTime: null,
          connectionStatus: 'connecting',
          audioEnabled: true,
          videoEnabled: true,
          screenSharing: false,
          handRaised: false,
          handRaisedAt: null,
        },
        {
          participantId: 'ann',
          displayName: 'Ann',
          userId: null,
          role: 'participant',
          status: 'joined',
          joinTime: occurredAt(annJoin),
          leftTime: null,
          connectionStatus: 'connecting',
          audioEnabled: true,
          videoEnabled: false,
          screenSharing: false,
          handRaised: false,
          handRaisedAt: null,
        },
      ],
    });
  });

  it('follows media, connection, hands and the active speaker', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command(
      'm1',
      { type: 'SetConnectionStatus', participantId: 'ann', connectionStatus: 'connected' },
      sfu,
    );
    await world.command(
      'm1',
      { type: 'ChangeMediaState', participantId: 'ann', kind: 'audio', enabled: false },
      host,
    );
    await world.command(
      'm1',
      { type: 'ChangeMediaState', participantId: 'ann', kind: 'screen', enabled: true },
      participant('ann'),
    );
    const raised = await world.command('m1', { type: 'RaiseHand', participantId: 'ann' }, participant('ann'));
    await world.command('m1', { type: 'ChangeActiveSpeaker', participantId: 'ann' }, sfu);
    await world.project();

    expect(await getParticipant(world.store, 'm1', 'ann')).toMatchObject({
      connectionStatus: 'connected',
      audioEnabled: false,
      videoEnabled: true,
      screenSharing: true,
      handRaised: true,
      handRaisedAt: occurredAt(raised),
    });
    expect((await getRoster(world.store, 'm1'))?.activeSpeakerId).toBe('ann');

    await world.command('m1', { type: 'LowerHand', participantId: 'ann' }, host);
    await world.project();
    expect(await getParticipant(world.store, 'm1', 'ann')).toMatchObject({
      handRaised: false,
      handRaisedAt: null,
    });
  });

  it('keeps those who left out of the roster unless asked, with their live state reset', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command('m1', join('bob'), participant('bob'));
    await world.command('m1', { type: 'RaiseHand', participantId: 'bob' }, participant('bob'));
    await world.command(
      'm1',
      { type: 'ChangeMediaState', participantId: 'bob', kind: 'screen', enabled: true },
      participant('bob'),
    );
    await world.command('m1', { type: 'ChangeActiveSpeaker', participantId: 'bob' }, sfu);
    const left = await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'bob', reason: 'left' },
      participant('bob'),
    );
    await world.project();

    const roster = await getRoster(world.store, 'm1');
    expect(roster?.participants.map((p) => p.participantId)).toEqual(['ann']);
    expect(roster?.activeSpeakerId).toBeNull();
    const everyone = await getRoster(world.store, 'm1', { includeGone: true });
    expect(everyone?.participants.map((p) => p.participantId)).toEqual(['ann', 'bob']);
    expect(everyone?.participants[1]).toMatchObject({
      status: 'left',
      leftTime: occurredAt(left),
      connectionStatus: 'disconnected',
      handRaised: false,
      handRaisedAt: null,
      screenSharing: false,
    });
  });

  it('shows the waiting room: waiting, then admitted or denied', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1', { settings: { waitingRoom: true } }), host);
    for (const p of ['ann', 'bob', 'cid']) await world.command('m1', join(p), participant(p));
    await world.command('m1', { type: 'AdmitParticipant', participantId: 'ann' }, host);
    await world.command('m1', { type: 'DenyParticipant', participantId: 'bob' }, host);
    await world.project();

    const roster = await getRoster(world.store, 'm1');
    expect(roster?.participants.map((p) => [p.participantId, p.status])).toEqual([
      ['ann', 'joined'],
      ['cid', 'waiting'],
    ]);
    expect(await getParticipant(world.store, 'm1', 'bob')).toMatchObject({ status: 'denied' });
  });

  it('clears the active speaker when the meeting ends, and marks everyone gone', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command('m1', { type: 'ChangeActiveSpeaker', participantId: 'ann' }, sfu);
    await world.command('m1', { type: 'EndMeeting' }, host);
    await world.project();

    const roster = await getRoster(world.store, 'm1', { includeGone: true });
    expect(roster?.activeSpeakerId).toBeNull();
    expect(roster?.participants.map((p) => p.status)).toEqual(['left']);
  });

  it('follows who is host and co-host: granted, revoked, handed over, passed on when lost', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('hana'), host);
    for (const id of ['ann', 'bob', 'cid']) await world.command('m1', join(id), participant(id));
    await world.command('m1', { type: 'SetCoHost', participantId: 'bob', coHost: true }, host);
    await world.command('m1', { type: 'SetCoHost', participantId: 'cid', coHost: true }, host);
    await world.command('m1', { type: 'SetCoHost', participantId: 'cid', coHost: false }, host);
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'hana', reason: 'left', successorId: 'ann' },
      {
        type: 'participant',
        participantId: 'hana',
        isHost: true,
      },
    );
    await world.command('m1', { type: 'LeaveMeeting', participantId: 'ann', reason: 'disconnected' }, sfu);
    await world.project();

    const roles = Object.fromEntries(
      ((await getRoster(world.store, 'm1'))?.participants ?? []).map((p) => [p.participantId, p.role]),
    );
    // Ann was handed the role, then lost: Bob, the co-host, took it over.
    expect(roles).toEqual({ bob: 'host', cid: 'participant' });
    const { state } = await world.meetings.load('m1');
    expect(state.participants['bob']?.role).toBe('host');
  });

  it('agrees with the decider’s own state (evolve) after every kind of event', async () => {
    const world = await given(backend);
    await busyMorning(world);
    await world.project();

    for (const meetingId of ['standup', 'review', 'empty']) {
      const { state } = await world.meetings.load(meetingId);
      const roster = await getRoster(world.store, meetingId, { includeGone: true });
      expect(roster?.activeSpeakerId).toBe(state.activeSpeakerId);
      const fromEvolve = Object.values(state.participants)
        // The roster never holds the browser's device id (others read it) nor a pending unmute request.
        .map(
          ({
            media: _media,
            connectedNode: _node,
            placedNode: _placed,
            deviceId: _device,
            unmuteRequested: _asked,
            ...p
          }) => p,
        )
        .sort((a, b) => a.participantId.localeCompare(b.participantId));
      const fromRoster = (roster?.participants ?? [])
        .map(({ handRaisedAt: _at, ...p }) => p)
        .sort((a, b) => a.participantId.localeCompare(b.participantId));
      expect(fromRoster).toEqual(fromEvolve);
    }
  });

  it('serves a meeting of 501 participants (more than one page of the store)', async () => {
    const world = await given(backend);
    const events: StoredEvent[] = [
      storedEvent({
        meetingId: 'big',
        streamRevision: 0,
        globalPosition: 1,
        type: 'MeetingCreated',
        data: createMeetingData('big'),
      }),
    ];
    for (let i = 1; i <= 501; i++) {
      events.push(
        storedEvent({
          meetingId: 'big',
          streamRevision: i,
          globalPosition: i + 1,
          type: 'ParticipantJoined',
          data: {
            participantId: `p${String(i).padStart(3, '0')}`,
            displayName: `P${i}`,
            userId: null,
            role: 'participant',
            audioEnabled: false,
            videoEnabled: false,
          },
        }),
      );
    }
    await world.runner.handle(events);
    const roster = await getRoster(world.store, 'big');
    expect(roster?.participants).toHaveLength(501);
    expect(roster?.participants[0]?.participantId).toBe('p001');
    expect(roster?.participants[500]?.participantId).toBe('p501');
  });

  it('has no roster for a meeting it never saw', async () => {
    const world = await given(backend);
    expect(await getRoster(world.store, 'nobody')).toBeUndefined();
    expect(await getParticipant(world.store, 'nobody', 'p')).toBeUndefined();
  });
});

function createMeetingData(meetingId: string) {
  const command = createMeeting(meetingId);
  if (command.type !== 'CreateMeeting') throw new Error('unreachable');
  const { type: _type, ...data } = command;
  return data;
}
