import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REACTION_BUDGET, type JoinResult } from '../../protocol/signaling';
import { api, connect, next, record, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

/**
 * The stage over real sockets against the real server process: reactions (validated against the
 * fixed set, rate-limited, broadcast to present participants only) and the host's spotlight.
 */

let server: ConferProcess;
let client: ReturnType<typeof api>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  // The general budget stays at its defaults (40 at once): reactions have a smaller one of their own.
  server = await startConferProcess({ RECONNECT_GRACE_SECONDS: '1' });
  client = api(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

async function joinedSocket(joined: { webSocketUrl: string; token: string }): Promise<ClientSocket> {
  const socket = await connect(joined);
  sockets.push(socket);
  expect((await request<JoinResult>(socket, 'join', {})).ok).toBe(true);
  return socket;
}

/** A host, Ann and Bob admitted from the waiting room, and Wes still waiting in it. */
async function meeting() {
  const created = await client.createMeeting({ title: 'Stage test', settings: { waitingRoom: true } });
  const hostJoin = await client.join(created.meetingId, 'Host', { hostToken: created.hostToken });
  const host = await joinedSocket(hostJoin);
  const people = [];
  for (const name of ['Ann', 'Bob']) {
    const joined = await client.join(created.meetingId, name);
    expect((await request(host, 'admit', { participantId: joined.participantId })).ok).toBe(true);
    people.push({ id: joined.participantId, socket: await joinedSocket(joined), joined });
  }
  const wesJoin = await client.join(created.meetingId, 'Wes');
  expect(wesJoin.status).toBe('waiting');
  const wes = await joinedSocket(wesJoin);
  const [ann, bob] = people as [(typeof people)[number], (typeof people)[number]];
  return { ...created, host, hostId: hostJoin.participantId, ann, bob, wes };
}

describe('reactions', () => {
  it('refuses anything but the six emoji with a coded error naming the field, and broadcasts nothing', async () => {
    const m = await meeting();
    const hostSaw = record(m.host, ['reaction']);
    // Every reaction message, good or bad, spends the reaction budget: fewer than it, here.
    const strange = ['🙂', '👍🏽', '❤', 'lol', '\u202e👍', '👍👍', '', null];
    expect(strange.length + 1).toBeLessThan(REACTION_BUDGET.count);
    for (const emoji of strange) {
      const ack = await request(m.ann.socket, 'reaction', { emoji });
      expect(ack.ok, JSON.stringify(emoji)).toBe(false);
      if (!ack.ok) expect(ack.error).toMatchObject({ code: 'CONFER_VALIDATION_FAILED', field: 'emoji' });
    }
    const extra = await request(m.ann.socket, 'reaction', { emoji: '👍', size: 'huge' });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.error).toMatchObject({ code: 'CONFER_VALIDATION_FAILED', field: 'size' });
    // Bob's good reaction, after all of Ann's refused ones, is the first one anybody sees.
    const seen = next(m.host, 'reaction');
    expect((await request(m.bob.socket, 'reaction', { emoji: '❤️' })).ok).toBe(true);
    expect(await seen).toMatchObject({ participantId: m.bob.id, emoji: '❤️' });
    expect(hostSaw.map((s) => s.payload)).toEqual([
      { type: 'reaction', participantId: m.bob.id, emoji: '❤️', seq: expect.any(Number) },
    ]);
  });

  it('a flood gets CONFER_RATE_LIMITED beyond the budget, and nothing beyond it is broadcast', async () => {
    const m = await meeting();
    const bobSaw = record(m.bob.socket, ['reaction']);
    const hostSaw = record(m.host, ['reaction']);
    const wesSaw = record(m.wes, ['reaction', 'chat']);
    const flood = REACTION_BUDGET.count + 15;
    const answers = [];
    // One after another, as fast as acknowledgements come: well inside one budget window.
    for (let i = 0; i < flood; i++) answers.push(await request(m.ann.socket, 'reaction', { emoji: '🎉' }));
    const accepted = answers.filter((a) => a.ok).length;
    const refused = answers.filter((a) => !a.ok && a.error.code === 'CONFER_RATE_LIMITED').length;
    expect(accepted).toBe(REACTION_BUDGET.count);
    expect(refused).toBe(flood - REACTION_BUDGET.count);
    // The first ones went through, the rest were refused: not interleaved.
    expect(answers.slice(0, REACTION_BUDGET.count).every((a) => a.ok)).toBe(true);
    // Ann may still talk: the reaction budget is not her whole budget. Her chat comes after every
    // reaction in the meeting's stream, so once Bob and the host have it, they have all reactions.
    const bobChat = next(m.bob.socket, 'chat', (c) => c.message === 'that was a lot');
    const hostChat = next(m.host, 'chat', (c) => c.message === 'that was a lot');
    expect((await request(m.ann.socket, 'chat', { message: 'that was a lot' })).ok).toBe(true);
    await Promise.all([bobChat, hostChat]);
    expect(bobSaw).toHaveLength(REACTION_BUDGET.count);
    expect(hostSaw).toHaveLength(REACTION_BUDGET.count);
    // The waiting room hears nothing of the meeting, reactions included, and may not react.
    expect(wesSaw).toEqual([]);
    const fromWaiting = await request(m.wes, 'reaction', { emoji: '👍' });
    expect(fromWaiting.ok).toBe(false);
    if (!fromWaiting.ok) expect(fromWaiting.error.code).toBe('CONFER_PARTICIPANT_NOT_JOINED');
  });
});

describe('the spotlight', () => {
  it('only the host spotlights; everyone is told, late joiners too, and it goes when that person leaves', async () => {
    const m = await meeting();
    const byAnn = await request(m.ann.socket, 'spotlight', { participantId: m.ann.id });
    expect(byAnn.ok).toBe(false);
    if (!byAnn.ok) expect(byAnn.error.code).toBe('CONFER_FORBIDDEN');
    const nobody = await request(m.host, 'spotlight', { participantId: 'p_nobody' });
    expect(nobody.ok).toBe(false);
    if (!nobody.ok)
      expect(nobody.error).toMatchObject({ code: 'CONFER_PARTICIPANT_NOT_FOUND', field: 'participantId' });

    const told = next(m.bob.socket, 'spotlight');
    expect((await request(m.host, 'spotlight', { participantId: m.ann.id })).ok).toBe(true);
    expect(await told).toMatchObject({ participantId: m.ann.id, reason: 'spotlighted' });
    // Someone arriving now learns it from the join answer.
    const lateJoin = await client.join(m.meetingId, 'Late');
    expect((await request(m.host, 'admit', { participantId: lateJoin.participantId })).ok).toBe(true);
    const late = await connect(lateJoin);
    sockets.push(late);
    const answer = await request<JoinResult>(late, 'join', {});
    expect(answer.ok && answer.data.spotlightId).toBe(m.ann.id);

    const gone = next(m.bob.socket, 'spotlight');
    expect((await request(m.ann.socket, 'leave', {})).ok).toBe(true);
    expect(await gone).toMatchObject({ participantId: null, reason: 'participant-left' });
    const rejoined = await request<JoinResult>(late, 'join', {});
    expect(rejoined.ok && rejoined.data.spotlightId).toBeNull();
  });

  it('the host clears it for everyone', async () => {
    const m = await meeting();
    expect((await request(m.host, 'spotlight', { participantId: m.bob.id })).ok).toBe(true);
    const cleared = next(m.ann.socket, 'spotlight', (s) => s.participantId === null);
    expect((await request(m.host, 'clear-spotlight', {})).ok).toBe(true);
    expect(await cleared).toMatchObject({ participantId: null, reason: 'host-cleared' });
  });
});
