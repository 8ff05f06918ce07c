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

describe('reconnect grace', () => {
  it('settles grace periods that end together a few at a time, and every one of them', async () => {
    const commands = createMeetingCommandHandler({
      store,
      ids: createRandomIds(),
      clock: createSystemClock(),
    });
    // How many departures are being decided and written at once.
    let inFlight = 0;
    let most = 0;
    const watched: MeetingCommandHandler = {
      ...commands,
      handle: async (meetingId, command, context) => {
        if (command.type !== 'LeaveMeeting') return commands.handle(meetingId, command, context);
        most = Math.max(most, ++inFlight);
        try {
          return await commands.handle(meetingId, command, context);
        } finally {
          inFlight--;
        }
      },
    };
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
    // Ten meetings of four, every socket dropping at once.
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
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
    grace.close();
  });
});
