import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMeetingCommandHandler,
  type MeetingCommandHandler,
} from '../../domain/meeting/meeting.handler';
import { as, host, joinCmd, settings } from '../../domain/meeting/meeting.spec-helper';
import type { EventStore } from '../../domain/ports/event-store';
import { createSystemClock } from '../../infra/clock/system-clock';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createRandomIds } from '../../infra/ids/random-ids';
import { eventually } from '../../test/support/eventually';
import type { Identity } from './connection';
import { createReconnectGrace } from './reconnect-grace';

/** Grace periods over a real command handler and SQLite store, as the gateway drives them. */
let dir: string;
let store: EventStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'confer-grace-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Ten meetings of four joined participants, as the identities their sockets carry. */
async function tenMeetingsOfFour(commands: MeetingCommandHandler): Promise<Identity[]> {
  const people: Identity[] = [];
  const exp = Math.floor(Date.now() / 1000) + 3600;
  for (let m = 0; m < 10; m++) {
    const meetingId = `m${m}`;
    await commands.handle(
      meetingId,
      {
        type: 'CreateMeeting',
        meetingId,
        title: 'T',
        startTime: null,
        hostUserId: null,
        settings: settings(),
      },
      { actor: host },
    );
    for (let p = 0; p < 4; p++) {
      const participantId = `p${p}`;
      await commands.handle(meetingId, joinCmd(participantId), { actor: as(participantId) });
      people.push({ meetingId, participantId, isHost: false, exp, address: '127.0.0.1' });
    }
  }
  return people;
}

/** The handler, counting how many commands of `type` are being decided and written at once. */
function watching(commands: MeetingCommandHandler, type: string) {
  const seen = { inFlight: 0, most: 0, total: 0 };
  const handler: MeetingCommandHandler = {
    ...commands,
    handle: async (meetingId, command, context) => {
      if (command.type !== type) return commands.handle(meetingId, command, context);
      seen.most = Math.max(seen.most, ++seen.inFlight);
      seen.total++;
      try {
        return await commands.handle(meetingId, command, context);
      } finally {
        seen.inFlight--;
      }
    },
  };
  return { handler, seen };
}

describe('reconnect grace', () => {
  it('settles grace periods that end together a few at a time, and every one of them', async () => {
    const commands = createMeetingCommandHandler({
      store,
      ids: createRandomIds(),
      clock: createSystemClock(),
    });
    // How many departures are being decided and written at once.
    const { handler: watched, seen } = watching(commands, 'LeaveMeeting');
    const grace = createReconnectGrace(
      {
        commands: watched,
        hub: { ofParticipant: () => [] },
        logger: pino({ level: 'silent' }),
        nodeId: 'node-a',
        reconnectGraceMs: 50,
      },
      { expiriesAtOnce: 3 },
    );
    const people = await tenMeetingsOfFour(commands);
    await Promise.all(people.map((identity) => grace.disconnected({ identity, evicted: false })));

    const leftCount = async () => {
      let left = 0;
      for (let m = 0; m < 10; m++) {
        const { state } = await commands.load(`m${m}`);
        left += Object.values(state.participants).filter((p) => p.status === 'left').length;
      }
      return left;
    };
    await eventually('every participant to have left', async () => (await leftCount()) === people.length);
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(3);
    grace.close();
  });

  it('records a mass disconnection a few at a time, every one, but not someone back before their turn', async () => {
    const commands = createMeetingCommandHandler({
      store,
      ids: createRandomIds(),
      clock: createSystemClock(),
    });
    const { handler, seen } = watching(commands, 'SetConnectionStatus');
    const people = await tenMeetingsOfFour(commands);
    const back = new Set<string>();
    const grace = createReconnectGrace(
      {
        commands: handler,
        // A participant who is back has a connection on this node again.
        hub: { ofParticipant: (m, p) => (back.has(`${m}/${p}`) ? [{} as never] : []) },
        logger: pino({ level: 'silent' }),
        nodeId: 'node-a',
        reconnectGraceMs: 60_000,
      },
      { disconnectionsAtOnce: 3 },
    );
    const statusOf = async ({ meetingId, participantId }: Identity) =>
      (await commands.load(meetingId)).state.participants[participantId]!;
    const returning = people.at(-1)!;
    const before = await statusOf(returning);
    // Every socket drops at once; the last of them reconnects while the others are recorded.
    const recorded = people.map((identity) => grace.disconnected({ identity, evicted: false }));
    back.add(`${returning.meetingId}/${returning.participantId}`);
    await Promise.all(recorded);

    for (const identity of people.slice(0, -1))
      expect((await statusOf(identity)).connectionStatus).toBe('reconnecting');
    expect(await statusOf(returning)).toEqual(before);
    expect(seen.total).toBe(people.length - 1);
    expect(seen.most).toBeGreaterThan(1);
    expect(seen.most).toBeLessThanOrEqual(3);
    grace.close();
  });
});
