import { describe, expect, it } from 'vitest';
import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import { projectionSpecWorlds } from '../../test/support/projection-spec-worlds';
import { actors, createMeeting, join, storedEvent } from '../projection.spec-helper';
import { nodesWithPresence, presenceOn } from './presence.queries';

const { backends, given } = projectionSpecWorlds('presence');
const { participant, host, sfu } = actors;

const connect = (participantId: string, nodeId: string): MeetingCommand => ({
  type: 'SetConnectionStatus',
  participantId,
  connectionStatus: 'connected',
  nodeId,
});
const dropped = (participantId: string, nodeId: string): MeetingCommand => ({
  type: 'SetConnectionStatus',
  participantId,
  connectionStatus: 'reconnecting',
  nodeId,
});

describe.each(backends)('presence on $name', (backend) => {
  it('files each participant under the node they connect through, and moves them with it', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.command('m1', join('bob'), participant('bob'));
    await world.command('m1', connect('ann', 'node-a'), participant('ann'));
    await world.command('m1', connect('bob', 'node-a'), participant('bob'));
    const [lost] = await world.command('m1', dropped('bob', 'node-a'), sfu);
    await world.project();

    expect(await nodesWithPresence(world.store)).toEqual(['node-a']);
    expect((await presenceOn(world.store, 'node-a', { limit: 10 })).map((e) => e.presence)).toEqual([
      { meetingId: 'm1', participantId: 'ann', connectionStatus: 'connected', since: expect.any(String) },
      { meetingId: 'm1', participantId: 'bob', connectionStatus: 'reconnecting', since: lost!.occurredAt },
    ]);

    // Bob is back through node B: filed there only.
    await world.command('m1', connect('bob', 'node-b'), participant('bob'));
    await world.project();
    expect(await nodesWithPresence(world.store)).toEqual(['node-a', 'node-b']);
    expect(
      (await presenceOn(world.store, 'node-a', { limit: 10 })).map((e) => e.presence.participantId),
    ).toEqual(['ann']);
    expect((await presenceOn(world.store, 'node-b', { limit: 10 })).map((e) => e.presence)).toEqual([
      { meetingId: 'm1', participantId: 'bob', connectionStatus: 'connected', since: expect.any(String) },
    ]);
  });

  it('files the people shown reconnecting a second time, for as long as they are', async () => {
    const world = await given(backend);
    const reconnecting = async (nodeId: string) =>
      (await presenceOn(world.store, nodeId, { limit: 10, only: 'reconnecting' })).map(
        (e) => e.presence.participantId,
      );
    await world.command('m1', createMeeting('m1'), host);
    for (const id of ['ann', 'bob', 'cy']) {
      await world.command('m1', join(id), participant(id));
      await world.command('m1', connect(id, 'node-a'), participant(id));
    }
    await world.command('m1', dropped('ann', 'node-a'), sfu);
    await world.command('m1', dropped('bob', 'node-a'), sfu);
    await world.project();
    expect(await reconnecting('node-a')).toEqual(['ann', 'bob']);

    // Ann is back (through another node), Bob leaves: neither is reconnecting on A any more.
    await world.command('m1', connect('ann', 'node-b'), participant('ann'));
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'bob', reason: 'left' },
      participant('bob'),
    );
    await world.project();
    expect(await reconnecting('node-a')).toEqual([]);
    expect(await reconnecting('node-b')).toEqual([]);
    expect(
      (await presenceOn(world.store, 'node-a', { limit: 10 })).map((e) => e.presence.participantId),
    ).toEqual(['cy']);
  });

  it('forgets whoever leaves, is removed or ends with the meeting, and pages through a node', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    for (const id of ['p1', 'p2', 'p3', 'p4']) {
      await world.command('m1', join(id), participant(id));
      await world.command('m1', connect(id, 'node-a'), participant(id));
    }
    await world.command(
      'm1',
      { type: 'LeaveMeeting', participantId: 'p1', reason: 'left' },
      participant('p1'),
    );
    await world.command('m1', { type: 'RemoveParticipant', participantId: 'p2' }, host);
    await world.project();
    const firstPage = await presenceOn(world.store, 'node-a', { limit: 1 });
    expect(firstPage.map((e) => e.presence.participantId)).toEqual(['p3']);
    const secondPage = await presenceOn(world.store, 'node-a', { limit: 5, cursor: firstPage[0]!.key });
    expect(secondPage.map((e) => e.presence.participantId)).toEqual(['p4']);

    await world.command('m1', { type: 'EndMeeting' }, host);
    await world.project();
    expect(await presenceOn(world.store, 'node-a', { limit: 10 })).toEqual([]);
  });

  it('files nobody for a connection recorded before nodes were named', async () => {
    const world = await given(backend);
    await world.command('m1', createMeeting('m1'), host);
    await world.command('m1', join('ann'), participant('ann'));
    await world.project();
    // A v1 event (no node): upcast with an unknown node.
    await world.runner.handle([
      storedEvent({
        meetingId: 'm1',
        streamRevision: 2,
        globalPosition: 1000,
        type: 'ParticipantConnectionChanged',
        data: { participantId: 'ann', connectionStatus: 'connected' },
      }),
    ]);
    expect(await nodesWithPresence(world.store)).toEqual([]);
  });
});
