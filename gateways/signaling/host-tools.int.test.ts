import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult, ServerToClientEvents } from '../../protocol/signaling';
import {
  api,
  connect,
  next,
  record,
  request,
  type ClientSocket,
  type Joined,
} from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

/**
 * The host's tools over a real server and real sockets: bad input from anyone is a coded error
 * that nobody else hears of; the host role passes on when the host leaves or is lost; removal,
 * denial and the lock keep people out at the REST join.
 */

let server: ConferProcess;
let client: ReturnType<typeof api>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startConferProcess({
    SOCKET_RATE_PER_SECOND: '50',
    SOCKET_RATE_BURST: '50',
    RECONNECT_GRACE_SECONDS: '1',
  });
  client = api(server.url);
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

interface Person {
  name: string;
  id: string;
  token: string;
  socket: ClientSocket;
}

/** Joins over REST (with a device id) and connects; the answer is the REST status and body. */
async function joinRest(meetingId: string, displayName: string, extra: Record<string, unknown> = {}) {
  return client.call<Joined & { error?: { code: string; message: string } }>(
    'POST',
    `/meetings/${meetingId}/join`,
    { displayName, ...extra },
  );
}

async function connected(joined: Joined, name: string): Promise<Person> {
  const socket = await connect(joined);
  sockets.push(socket);
  const ack = await request<JoinResult>(socket, 'join', {});
  expect(ack.ok, `${name} joins`).toBe(true);
  return { name, id: joined.participantId, token: joined.token, socket };
}

async function meetingWith(names: string[], settings: Record<string, unknown> = {}) {
  const meeting = await client.createMeeting({ title: 'Host tools', settings });
  const host = await connected(
    await client.join(meeting.meetingId, 'Hana', { hostToken: meeting.hostToken }),
    'Hana',
  );
  const people: Person[] = [];
  for (const name of names) {
    const res = await joinRest(meeting.meetingId, name, { deviceId: `dev-${name}` });
    expect(res.status).toBe(200);
    const person = await connected(res.body, name);
    if (res.body.status === 'waiting') {
      const admitted = next(
        person.socket,
        'participant-joined',
        (j) => j.participant.participantId === person.id,
      );
      expect((await request(host.socket, 'admit', { participantId: person.id })).ok).toBe(true);
      await admitted;
    }
    people.push(person);
  }
  return { ...meeting, host, people };
}

const HOST_TOOL_EVENTS: (keyof ServerToClientEvents)[] = [
  'role-changed',
  'moderator-briefing',
  'everyone-muted',
  'unmute-requested',
  'meeting-lock',
  'allowed-back',
  'participant-left',
  'media-update',
];

/** Every message sent before `sentinel` is delivered has been delivered: no sleeping needed. */
async function drained(from: Person, to: Person[]): Promise<void> {
  const marker = `sentinel ${Math.random()}`;
  const arrivals = to.map((p) => next(p.socket, 'chat', (m) => m.message === marker));
  expect((await request(from.socket, 'chat', { message: marker })).ok).toBe(true);
  await Promise.all(arrivals);
}

describe('bad host actions', () => {
  it('are coded errors, and nothing reaches anyone else', async () => {
    const m = await meetingWith(['Ann', 'Bob', 'Cy']);
    const [ann, bob, cy] = m.people as [Person, Person, Person];
    // Ann is co-host; Bob and Cy are participants. Cy has left; Bob has muted himself (so that
    // "ask to unmute" has a target). Each is heard by everyone before anything is recorded.
    const everyone = [m.host, ann, bob];
    const roles = everyone.map((p) => next(p.socket, 'role-changed', (r) => r.participantId === ann.id));
    expect((await request(m.host.socket, 'set-co-host', { participantId: ann.id, coHost: true })).ok).toBe(
      true,
    );
    await Promise.all(roles);
    const lefts = everyone.map((p) => next(p.socket, 'participant-left', (r) => r.participantId === cy.id));
    expect((await request(cy.socket, 'leave', {})).ok).toBe(true);
    await Promise.all(lefts);
    const mutes = everyone.map((p) => next(p.socket, 'media-update', (u) => u.participantId === bob.id));
    expect((await request(bob.socket, 'mute', { mediaType: 'audio' })).ok).toBe(true);
    await Promise.all(mutes);

    const seenByBob = record(bob.socket, HOST_TOOL_EVENTS);
    const seenByAnn = record(ann.socket, HOST_TOOL_EVENTS);
    const seenByHost = record(m.host.socket, HOST_TOOL_EVENTS);
    const cases: [Person, string, unknown, string, string | undefined][] = [
      // A participant may use none of them.
      [bob, 'mute-all', {}, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'ask-unmute', { participantId: ann.id }, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'set-co-host', { participantId: bob.id, coHost: true }, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'lock-meeting', { locked: true }, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'allow-back', { participantId: cy.id }, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'mute-participant', { participantId: ann.id, mediaType: 'video' }, 'CONFER_FORBIDDEN', 'type'],
      [bob, 'leave', { successorId: ann.id }, 'CONFER_FORBIDDEN', 'successorId'],
      // A co-host moderates, but neither locks, nor changes roles, nor ends, nor removes the host.
      [ann, 'lock-meeting', { locked: true }, 'CONFER_FORBIDDEN', 'type'],
      [ann, 'set-co-host', { participantId: bob.id, coHost: true }, 'CONFER_FORBIDDEN', 'type'],
      [ann, 'end-meeting', {}, 'CONFER_FORBIDDEN', 'type'],
      [ann, 'remove-participant', { participantId: m.host.id }, 'CONFER_FORBIDDEN', 'participantId'],
      // On someone absent or unknown.
      [m.host, 'ask-unmute', { participantId: cy.id }, 'CONFER_PARTICIPANT_NOT_JOINED', 'participantId'],
      [m.host, 'ask-unmute', { participantId: 'p_nobody' }, 'CONFER_PARTICIPANT_NOT_FOUND', 'participantId'],
      [
        m.host,
        'set-co-host',
        { participantId: cy.id, coHost: true },
        'CONFER_PARTICIPANT_NOT_JOINED',
        'participantId',
      ],
      [m.host, 'allow-back', { participantId: 'p_nobody' }, 'CONFER_PARTICIPANT_NOT_FOUND', 'participantId'],
      [m.host, 'allow-back', { participantId: cy.id }, 'CONFER_NOTHING_TO_CHANGE', 'participantId'],
      [
        m.host,
        'mute-participant',
        { participantId: cy.id, mediaType: 'audio' },
        'CONFER_PARTICIPANT_NOT_JOINED',
        'participantId',
      ],
      // Twice: what is already so.
      [
        m.host,
        'set-co-host',
        { participantId: ann.id, coHost: true },
        'CONFER_NOTHING_TO_CHANGE',
        'participantId',
      ],
      [m.host, 'ask-unmute', { participantId: ann.id }, 'CONFER_NOTHING_TO_CHANGE', 'participantId'],
      [m.host, 'lock-meeting', { locked: false }, 'CONFER_NOTHING_TO_CHANGE', 'locked'],
      [
        m.host,
        'mute-participant',
        { participantId: bob.id, mediaType: 'audio' },
        'CONFER_NOTHING_TO_CHANGE',
        'participantId',
      ],
      [bob, 'decline-unmute', {}, 'CONFER_NOTHING_TO_CHANGE', 'participantId'],
      // Malformed.
      [m.host, 'set-co-host', { participantId: ann.id }, 'CONFER_VALIDATION_FAILED', 'coHost'],
      [m.host, 'lock-meeting', { locked: 'yes' }, 'CONFER_VALIDATION_FAILED', 'locked'],
      [m.host, 'ask-unmute', { participantId: 'x\u0000y' }, 'CONFER_VALIDATION_FAILED', 'participantId'],
      [m.host, 'mute-all', { everyone: true }, 'CONFER_VALIDATION_FAILED', 'everyone'],
      [m.host, 'leave', { successorId: cy.id }, 'CONFER_PARTICIPANT_NOT_JOINED', 'successorId'],
    ];
    for (const [who, type, payload, code, field] of cases) {
      const ack = await request(who.socket, type as 'chat', payload);
      const what = `${who.name}: ${type} ${JSON.stringify(payload)}`;
      expect(ack.ok, what).toBe(false);
      if (ack.ok) continue;
      expect(ack.error.code, what).toBe(code);
      if (field !== undefined) expect(ack.error.field, what).toBe(field);
    }
    await drained(m.host, [ann, bob]);
    expect(seenByBob).toEqual([]);
    expect(seenByAnn).toEqual([]);
    expect(seenByHost).toEqual([]);
    // Still the host, still there: the meeting goes on.
    expect((await request(m.host.socket, 'chat', { message: 'still here' })).ok).toBe(true);
  }, 60_000);
});

describe('host succession', () => {
  it('hands the role to the chosen person, who is briefed on the waiting room and admits', async () => {
    const m = await meetingWith(['Ann', 'Bob'], { waitingRoom: true });
    const [ann, bob] = m.people as [Person, Person];
    // Heard as it happens (listening before the knock, which is broadcast at once).
    const waitingSeen = next(
      m.host.socket,
      'participant-waiting',
      (w) => w.participant.displayName === 'Wes',
    );
    const wes = await knock(m.meetingId, 'Wes');
    expect((await waitingSeen).participant.participantId).toBe(wes.id);
    const roleSeenByBob = next(bob.socket, 'role-changed');
    const briefing = next(ann.socket, 'moderator-briefing');
    expect((await request(m.host.socket, 'leave', { successorId: ann.id })).ok).toBe(true);
    expect(await roleSeenByBob).toMatchObject({ participantId: ann.id, role: 'host', reason: 'handed-over' });
    expect((await briefing).waiting.map((p) => p.participantId)).toEqual([wes.id]);
    // Her token predates the role: the meeting's history makes her host.
    const admittedWes = next(wes.socket, 'admitted');
    expect((await request(ann.socket, 'admit', { participantId: wes.id })).ok).toBe(true);
    expect((await admittedWes).participantId).toBe(wes.id);
    // The REST view (the roster projection) says who the host is now.
    const hostNow = async () =>
      (
        await client.call<{ host: { participantIds: string[] } }>(
          'GET',
          `/meetings/${m.meetingId}`,
          undefined,
          ann.token,
        )
      ).body.host.participantIds;
    await expect.poll(hostNow).toEqual([ann.id]);
  }, 60_000);

  it("passes the role on when the host's connection is lost past the grace period", async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people as [Person, Person];
    const role = next(bob.socket, 'role-changed', () => true, 15_000);
    m.host.socket.disconnect();
    // Ann has been here longest: the rule picks her.
    expect(await role).toMatchObject({ participantId: ann.id, role: 'host', reason: 'host-lost' });
    expect((await request(ann.socket, 'lock-meeting', { locked: true })).ok).toBe(true);
  }, 60_000);
});

describe('keeping people out', () => {
  it('bars a removed person by device and user id until let back', async () => {
    const m = await meetingWith(['Eve', 'Bob']);
    const [eve] = m.people as [Person, Person];
    expect((await request(m.host.socket, 'remove-participant', { participantId: eve.id })).ok).toBe(true);
    const again = await joinRest(m.meetingId, 'Eve', { deviceId: 'dev-Eve' });
    expect(again.status).toBe(403);
    expect(again.body.error?.code).toBe('CONFER_PARTICIPANT_BARRED');
    expect(again.body.error?.message).toMatch(/removed you/);
    const allowed = next(m.host.socket, 'allowed-back');
    expect((await request(m.host.socket, 'allow-back', { participantId: eve.id })).ok).toBe(true);
    expect((await allowed).participantId).toBe(eve.id);
    expect((await joinRest(m.meetingId, 'Eve', { deviceId: 'dev-Eve' })).status).toBe(200);
  }, 60_000);

  it('slows down knocking after a denial, saying when', async () => {
    const m = await meetingWith([], { waitingRoom: true });
    const kim = await knock(m.meetingId, 'Kim');
    expect((await request(m.host.socket, 'deny', { participantId: kim.id })).ok).toBe(true);
    const again = await joinRest(m.meetingId, 'Kim', { deviceId: 'dev-Kim' });
    expect(again.status).toBe(429);
    expect(again.body.error?.code).toBe('CONFER_KNOCK_TOO_SOON');
    expect(again.body.error?.message).toMatch(/again in \d+ s/);
    // Another browser is not slowed down by Kim's denial.
    expect((await joinRest(m.meetingId, 'Lee', { deviceId: 'dev-Lee' })).status).toBe(200);
  }, 60_000);

  it('answers a join of a locked meeting with a coded error, and lets people in once unlocked', async () => {
    const m = await meetingWith(['Ann']);
    const [ann] = m.people as [Person];
    const lock = next(ann.socket, 'meeting-lock');
    expect((await request(m.host.socket, 'lock-meeting', { locked: true })).ok).toBe(true);
    expect((await lock).locked).toBe(true);
    const refused = await joinRest(m.meetingId, 'Late', { deviceId: 'dev-Late' });
    expect(refused.status).toBe(423);
    expect(refused.body.error?.code).toBe('CONFER_MEETING_LOCKED');
    expect((await request(m.host.socket, 'lock-meeting', { locked: false })).ok).toBe(true);
    expect((await joinRest(m.meetingId, 'Late', { deviceId: 'dev-Late' })).status).toBe(200);
  }, 60_000);
});

describe('mute all and ask to unmute', () => {
  it('mutes everyone else, and asks (never forces) one person to unmute', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people as [Person, Person];
    const told = next(ann.socket, 'everyone-muted');
    expect((await request(m.host.socket, 'mute-all', {})).ok).toBe(true);
    expect((await told).participantIds.sort()).toEqual([ann.id, bob.id].sort());
    const asked = next(bob.socket, 'unmute-requested');
    const annSaw = record(ann.socket, ['unmute-requested']);
    expect((await request(m.host.socket, 'ask-unmute', { participantId: bob.id })).ok).toBe(true);
    expect((await asked).participantId).toBe(bob.id);
    // Only Bob (and the hosts) are asked; Bob stays muted until he chooses.
    await drained(m.host, [ann, bob]);
    expect(annSaw).toEqual([]);
    const unmuted = next(m.host.socket, 'media-update', (u) => u.participantId === bob.id && u.audio);
    expect((await request(bob.socket, 'unmute', { mediaType: 'audio' })).ok).toBe(true);
    await unmuted;
  }, 60_000);
});

/** Someone asks to join a waiting-room meeting and holds a socket to hear the answer. */
async function knock(meetingId: string, name: string): Promise<Person> {
  const res = await joinRest(meetingId, name, { deviceId: `dev-${name}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.status).toBe('waiting');
  return connected(res.body, name);
}
