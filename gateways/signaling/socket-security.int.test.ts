import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, next, record, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';
import { createTokenService } from '../auth/tokens';
import type { JoinResult } from '../../protocol/signaling';

/**
 * Issue 10's socket side, attacked as an attacker would: other meetings' tokens, waiting and
 * removed participants, one token with 50 sockets, bad text, a token expiring mid-session, and
 * a flood of connection attempts.
 */
let server: ConferProcess;
let client: ReturnType<typeof api>;
const sockets: ClientSocket[] = [];

const RATE = { perSecond: 5, burst: 10 };
/** What one participant may send over `ms`: a burst per (fixed) window, for each window touched. */
const budgetFor = (ms: number) => RATE.burst * (Math.ceil(ms / 1000 / (RATE.burst / RATE.perSecond)) + 1);
beforeAll(async () => {
  server = await startConferProcess({
    SOCKET_RATE_PER_SECOND: String(RATE.perSecond),
    SOCKET_RATE_BURST: String(RATE.burst),
  });
  client = api(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

async function open(joined: { webSocketUrl: string; token: string }): Promise<ClientSocket> {
  const socket = await connect(joined);
  sockets.push(socket);
  return socket;
}

async function meeting(settings: Record<string, unknown> = {}) {
  const m = await client.createMeeting({ title: 'Security', settings });
  const hostJoin = await client.join(m.meetingId, 'Host', { hostToken: m.hostToken });
  const host = await open(hostJoin);
  expect((await request<JoinResult>(host, 'join', {})).ok).toBe(true);
  return { ...m, host, hostId: hostJoin.participantId };
}

async function joinedGuest(meetingId: string, name: string) {
  const joined = await client.join(meetingId, name);
  const socket = await open(joined);
  const answer = await request<JoinResult>(socket, 'join', {});
  return { joined, socket, answer };
}

const refusal = (error: unknown) => (error as { data?: { code?: string } }).data?.code;

describe('who may hold a socket', () => {
  it("refuses another meeting's token at the door", async () => {
    const a = await meeting();
    const b = await meeting();
    const guest = await client.join(a.meetingId, 'Mallory');
    const wrongDoor = { webSocketUrl: `${server.url}/meetings/${b.meetingId}`, token: guest.token };
    const error = await connect(wrongDoor).catch((e: unknown) => e);
    expect(refusal(error)).toBe('CONFER_AUTH_WRONG_MEETING');
  });

  it('lets a waiting guest hear only their admission: no roster, no chat, no actions', async () => {
    const m = await meeting({ waitingRoom: true });
    const ann = await joinedGuest(m.meetingId, 'Ann');
    // Ann waits too (everyone but the host does): admit her so the meeting has a roster and chat.
    await request(m.host, 'admit', { participantId: ann.joined.participantId });
    const waiting = await joinedGuest(m.meetingId, 'Walter');
    expect(waiting.joined.status).toBe('waiting');
    expect(waiting.answer.ok).toBe(true);
    const view = waiting.answer.ok ? waiting.answer.data : undefined;
    expect(view?.participants).toEqual([]);
    expect(view?.waiting).toEqual([]);
    expect(view?.activeSpeakerId).toBeNull();
    const heard = record(waiting.socket, ['chat', 'participant-joined', 'media-update']);
    const annHears = next(ann.socket, 'chat', (c) => c.message === 'secret plans');
    expect((await request(m.host, 'chat', { message: 'secret plans' })).ok).toBe(true);
    for (const type of ['chat', 'raise-hand', 'mute', 'media:router-capabilities'] as const) {
      const payload =
        type === 'chat' ? { message: 'let me in' } : type === 'mute' ? { mediaType: 'audio' } : {};
      const ack = await request(waiting.socket, type, payload);
      expect(ack.ok ? 'accepted' : ack.error.code, type).toBe('CONFER_PARTICIPANT_NOT_JOINED');
    }
    await annHears;
    expect(heard).toEqual([]);
    const admitted = next(waiting.socket, 'admitted');
    await request(m.host, 'admit', { participantId: waiting.joined.participantId });
    expect((await admitted).participantId).toBe(waiting.joined.participantId);
  });

  it("ends a removed participant's sockets and lets none of them back in", async () => {
    const m = await meeting();
    const eve = await joinedGuest(m.meetingId, 'Eve');
    const second = await open(eve.joined);
    const ended = [eve.socket, second].map(
      (s) => new Promise<string>((resolve) => s.once('disconnect', resolve)),
    );
    expect(
      (await request(m.host, 'remove-participant', { participantId: eve.joined.participantId })).ok,
    ).toBe(true);
    expect(await Promise.all(ended)).toEqual(['io server disconnect', 'io server disconnect']);
    const back = await connect(eve.joined).catch((e: unknown) => e);
    expect(refusal(back)).toBe('CONFER_PARTICIPANT_NOT_JOINED');
  });
});

describe('budgets', () => {
  it('gives one token with 50 sockets one budget, and leaves the others theirs', async () => {
    const m = await meeting();
    const flooder = await joinedGuest(m.meetingId, 'Flood');
    const many = [flooder.socket];
    for (let i = 1; i < 50; i++) many.push(await open(flooder.joined));
    const chats = many.flatMap((s) =>
      Array.from({ length: 20 }, (_, i) => request(s, 'chat', { message: `spam ${i}` })),
    );
    const started = Date.now();
    const acks = await Promise.all(chats);
    const accepted = acks.filter((a) => a.ok).length;
    // One participant's budget: `burst` per window of burst/perSecond seconds, for the windows the
    // flood spanned (a loaded machine stretches it). 50 per-socket budgets would take 50 × burst.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(budgetFor(Date.now() - started));
    expect(accepted).toBeLessThan(50 * RATE.burst);
    expect(acks.filter((a) => !a.ok && a.error.code === 'CONFER_RATE_LIMITED').length).toBe(
      acks.length - accepted,
    );
    // The host, another participant, still has a budget.
    expect((await request(m.host, 'chat', { message: 'still here' })).ok).toBe(true);
  });
});

describe('text in socket messages', () => {
  it.each([
    ['a lone surrogate', 'hi \ud800 there'],
    ['a control character', 'bell \u0007'],
    ['a bidi override', 'evil\u202etxt.exe'],
  ])('refuses a chat with %s, naming the field, and stores nothing', async (_what, message) => {
    const m = await meeting();
    const heard = record(m.host, ['chat']);
    const ack = await request(m.host, 'chat', { message });
    expect(ack.ok ? 'accepted' : ack.error).toMatchObject({
      code: 'CONFER_VALIDATION_FAILED',
      field: 'message',
    });
    const echoed = next(m.host, 'chat', (c) => c.message.startsWith('line one'));
    expect((await request(m.host, 'chat', { message: 'line one\nline two\ttabbed' })).ok).toBe(true);
    await echoed;
    expect(heard.map((h) => (h.payload as { message: string }).message)).toEqual([
      'line one\nline two\ttabbed',
    ]);
  });

  it('refuses a lone surrogate in an id with a coded error', async () => {
    const m = await meeting();
    const ack = await request(m.host, 'remove-participant', { participantId: '\udfff' });
    expect(ack.ok ? 'accepted' : ack.error).toMatchObject({
      code: 'CONFER_VALIDATION_FAILED',
      field: 'participantId',
    });
  });
});

describe('a token expiring mid-session', () => {
  it('is told, refused, and disconnected', async () => {
    const m = await meeting();
    const guest = await client.join(m.meetingId, 'Short');
    // The same participant's token, minted to live 4 s (the deployment's minimum TTL is 60 s).
    const tokens = createTokenService({ secret: TEST_AUTH_SECRET, participantTtlSeconds: 4 });
    const short = await tokens.issueParticipantToken(m.meetingId, guest.participantId, false);
    const socket = await open({ webSocketUrl: guest.webSocketUrl, token: short });
    expect((await request(socket, 'join', {})).ok).toBe(true);
    const told = next(socket, 'error', (e) => e.code === 'CONFER_AUTH_INVALID', 10_000);
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await told).field).toBe('token');
    expect(await gone).toBe('io server disconnect');
    const again = await connect({ webSocketUrl: guest.webSocketUrl, token: short }).catch((e: unknown) => e);
    expect(refusal(again)).toBe('CONFER_AUTH_INVALID');
  });
});

describe('connection attempts', () => {
  it('limits attempts per client address', async () => {
    const limited = await startConferProcess({ SOCKET_CONNECTS_PER_MINUTE: '5' });
    try {
      const local = api(limited.url);
      const m = await local.createMeeting({ title: 'Door' });
      const bogus = { webSocketUrl: `${limited.url}/meetings/${m.meetingId}`, token: 'not-a-token' };
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 8; i++) codes.push(refusal(await connect(bogus).catch((e: unknown) => e)));
      expect(codes.slice(0, 5)).toEqual(Array(5).fill('CONFER_AUTH_INVALID'));
      expect(codes.slice(5)).toEqual(Array(3).fill('CONFER_RATE_LIMITED'));
    } finally {
      await limited.dispose();
    }
  });
});
