import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, next, record, request, type ClientSocket } from '../../test/support/confer-client';
import { labelledMetric, sumMetric } from '../../loadtest/prometheus-text';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';
import { eventually } from '../../test/support/eventually';
import type { JoinResult } from '../../protocol/signaling';

let server: ConferProcess;

/** The server's /metrics, read with an operator's credential. */
async function metricsText(): Promise<string> {
  const operator = await new SignJWT({ role: 'operator' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
  return fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${operator}` } }).then((r) =>
    r.text(),
  );
}
let client: ReturnType<typeof api>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startConferProcess({
    SOCKET_RATE_PER_SECOND: '20',
    SOCKET_RATE_BURST: '20',
    RECONNECT_GRACE_SECONDS: '1',
  });
  client = api(server.url);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

/** A meeting with a host and `names` participants, all connected and joined over socket.io. */
async function meetingWith(names: string[], settings: Record<string, unknown> = {}) {
  const meeting = await client.createMeeting({ title: 'Socket test', settings });
  const hostJoin = await client.join(meeting.meetingId, 'Host', { hostToken: meeting.hostToken });
  const host = await connect(hostJoin);
  sockets.push(host);
  expect((await request<JoinResult>(host, 'join', {})).ok).toBe(true);
  const people: { name: string; id: string; socket: ClientSocket; token: string; webSocketUrl: string }[] =
    [];
  for (const name of names) {
    const joined = await client.join(meeting.meetingId, name);
    const socket = await connect(joined);
    sockets.push(socket);
    const ack = await request<JoinResult>(socket, 'join', {});
    expect(ack.ok).toBe(true);
    people.push({
      name,
      id: joined.participantId,
      socket,
      token: joined.token,
      webSocketUrl: joined.webSocketUrl,
    });
  }
  return { ...meeting, host, hostId: hostJoin.participantId, people };
}

describe('joining over socket.io', () => {
  it('acknowledges join with the roster and tells the others', async () => {
    const m = await meetingWith(['Ann']);
    const joinedSeenP = next(
      m.people[0]!.socket,
      'participant-joined',
      (msg) => msg.participant.displayName === 'Bob',
    );
    const bobJoin = await client.join(m.meetingId, 'Bob');
    const joinedSeen = await joinedSeenP;
    expect(joinedSeen.participant.participantId).toBe(bobJoin.participantId);
    expect(joinedSeen.participant).toMatchObject({
      displayName: 'Bob',
      audioEnabled: true,
      videoEnabled: true,
      status: 'joined',
    });
    const bob = await connect(bobJoin);
    sockets.push(bob);
    const connected = next(
      m.people[0]!.socket,
      'connection-update',
      (msg) => msg.participantId === bobJoin.participantId,
    );
    const ack = await request<JoinResult>(bob, 'join', { capabilities: ['audio', 'video'] });
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.data.self).toMatchObject({
      participantId: bobJoin.participantId,
      displayName: 'Bob',
      connectionStatus: 'connected',
    });
    expect(ack.data.participants.map((p) => p.displayName).sort()).toEqual(['Ann', 'Bob', 'Host']);
    expect(ack.data.waiting).toEqual([]);
    expect((await connected).connectionStatus).toBe('connected');
  });
});

describe('a join sent without an acknowledgement callback', () => {
  it('is answered with a joined message listing who is there', async () => {
    const m = await meetingWith(['Ann']);
    const meetingId = m.meetingId;
    const dan = await client.join(meetingId, 'Dan');
    const socket = await connect(dan);
    sockets.push(socket);
    const answered = next(socket, 'joined', () => true);
    // As a client written from the design would: no callback (the typed client insists on one).
    const untyped = socket as unknown as { emit(event: string, payload: unknown): void };
    untyped.emit('join', { type: 'join', participantId: '', capabilities: ['audio', 'video'] });
    const joined = await answered;
    expect(joined.self).toMatchObject({ participantId: dan.participantId, connectionStatus: 'connected' });
    expect(joined.participants.map((p) => p.displayName).sort()).toEqual(['Ann', 'Dan', 'Host']);
  });
});

describe('chat, media and hands', () => {
  it('broadcasts chat in order to everyone, from the committed event', async () => {
    const m = await meetingWith(['Ann', 'Bob', 'Cid']);
    const [ann, bob, cid] = m.people;
    const bobSeen = record(bob!.socket, ['chat']);
    const cidSeen = record(cid!.socket, ['chat']);
    const acks = [];
    for (let i = 0; i < 5; i++)
      acks.push(await request<{ seq: number }>(ann!.socket, 'chat', { message: `hello ${i}` }));
    expect(acks.every((a) => a.ok)).toBe(true);
    const deadline = Date.now() + 5000;
    while ((bobSeen.length < 5 || cidSeen.length < 5) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    for (const seen of [bobSeen, cidSeen]) {
      const chats = seen.map(
        (s) => s.payload as { from: string; message: string; seq: number; timestamp: string },
      );
      expect(chats.map((c) => c.message)).toEqual(['hello 0', 'hello 1', 'hello 2', 'hello 3', 'hello 4']);
      expect(chats.every((c) => c.from === ann!.id && !Number.isNaN(Date.parse(c.timestamp)))).toBe(true);
      expect([...chats.map((c) => c.seq)].sort((a, b) => a - b)).toEqual(chats.map((c) => c.seq));
    }
    const history = await client.call<{ messages: { message: string }[] }>(
      'GET',
      `/meetings/${m.meetingId}/chat?limit=3`,
      undefined,
      bob!.token,
    );
    expect(history.body.messages.map((x) => x.message)).toEqual(['hello 2', 'hello 3', 'hello 4']);
  });

  it('serves chat history and the roster that include what was broadcast, even while the read models lag', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    // Stall the read models: hold read-models.db's write lock as another process would.
    const staller = new Database(join(server.dataDir, 'read-models.db'));
    staller.pragma('busy_timeout = 5000');
    staller.exec('BEGIN IMMEDIATE');
    let released = false;
    try {
      const seen = next(bob!.socket, 'chat', (msg) => msg.message === 'while the read models lag');
      const ack = await request(ann!.socket, 'chat', { message: 'while the read models lag' });
      expect(ack.ok).toBe(true);
      await seen;
      const history = client.call<{ messages: { message: string }[] }>(
        'GET',
        `/meetings/${m.meetingId}/chat?limit=1`,
        undefined,
        bob!.token,
      );
      // The read must wait for the read models rather than answer without the broadcast chat.
      const early = await Promise.race([history.then(() => 'answered'), sleep(200).then(() => 'waiting')]);
      expect(early).toBe('waiting');
      staller.exec('COMMIT');
      released = true;
      expect((await history).body.messages.map((x) => x.message)).toEqual(['while the read models lag']);
    } finally {
      if (!released) staller.exec('ROLLBACK');
      staller.close();
    }
  });

  it('measures, in seconds, how long after being decided events reached the bus and the sockets', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const seen = next(bob!.socket, 'chat', (msg) => msg.message === 'timed');
    expect((await request(ann!.socket, 'chat', { message: 'timed' })).ok).toBe(true);
    await seen;
    const lag = (text: string, stage: string, part: 'count' | 'sum') =>
      labelledMetric(text, `confer_event_lag_seconds_${part}`, 'stage', stage) ?? Number.NaN;
    const text = await eventually('both stages measured', async () => {
      const body = await metricsText();
      return lag(body, 'broadcast', 'count') > 0 && lag(body, 'forwarded', 'count') > 0 && body;
    });
    for (const stage of ['forwarded', 'broadcast']) {
      const mean = lag(text, stage, 'sum') / lag(text, stage, 'count');
      // Seconds, not milliseconds: on a test machine an event is on its way well within a minute.
      expect(mean, stage).toBeGreaterThanOrEqual(0);
      expect(mean, stage).toBeLessThan(60);
    }
  });

  it('reports how far the read models have committed, which catches up with the forwarder once the chat is in', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    expect((await request(m.people[0]!.socket, 'chat', { message: 'projected' })).ok).toBe(true);
    await eventually('both targets at the forwarder’s position', async () => {
      const text = await metricsText();
      const forwarded = sumMetric(text, 'confer_forwarder_position') ?? Number.NaN;
      const committed = (target: string) =>
        labelledMetric(text, 'confer_read_models_position', 'target', target) ?? Number.NaN;
      // The meeting's creation, two joins and the chat, at least.
      return forwarded >= 4 && committed('projections') >= forwarded && committed('analytics') >= forwarded
        ? true
        : undefined;
    });
  });

  it("counts the event store writer's batches, the appends in them and how long each took", async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    expect((await request(m.people[0]!.socket, 'chat', { message: 'written' })).ok).toBe(true);
    const value = (text: string, name: string) => sumMetric(text, name) ?? Number.NaN;
    const text = await metricsText();
    const batches = value(text, 'confer_event_store_write_seconds_count');
    const appends = value(text, 'confer_event_store_written_appends_total');
    // The meeting's creation, two joins and the chat at least, each acknowledged once written.
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(appends).toBeGreaterThanOrEqual(4);
    expect(appends).toBeGreaterThanOrEqual(batches);
    const mean = value(text, 'confer_event_store_write_seconds_sum') / batches;
    // Seconds: a commit with fsync takes well under a minute and more than nothing.
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(60);
  });

  it('tells everyone about mute, unmute and hands', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const muted = next(bob!.socket, 'media-update', (msg) => msg.participantId === ann!.id);
    expect((await request(ann!.socket, 'mute', { mediaType: 'audio' })).ok).toBe(true);
    expect(await muted).toMatchObject({ participantId: ann!.id, audio: false, video: true });
    const unmuted = next(bob!.socket, 'media-update', (msg) => msg.participantId === ann!.id && msg.audio);
    expect((await request(ann!.socket, 'unmute', { mediaType: 'audio' })).ok).toBe(true);
    expect((await unmuted).audio).toBe(true);
    const hand = next(m.host, 'hand-raised');
    expect((await request(bob!.socket, 'raise-hand')).ok).toBe(true);
    expect((await hand).participantId).toBe(bob!.id);
    const lowered = next(bob!.socket, 'hand-lowered');
    expect((await request(m.host, 'lower-hand', { participantId: bob!.id })).ok).toBe(true);
    expect((await lowered).participantId).toBe(bob!.id);
  });
});

describe('host controls', () => {
  it('admits from the waiting room', async () => {
    const m = await meetingWith([], { waitingRoom: true });
    const waitingSeen = next(m.host, 'participant-waiting');
    const eve = await client.join(m.meetingId, 'Eve');
    expect(eve.status).toBe('waiting');
    expect((await waitingSeen).participant.displayName).toBe('Eve');
    const socket = await connect(eve);
    sockets.push(socket);
    const ack = await request<JoinResult>(socket, 'join');
    expect(ack.ok && ack.data.self.status).toBe('waiting');
    const chatWhileWaiting = await request(socket, 'chat', { message: 'let me in' });
    expect(!chatWhileWaiting.ok && chatWhileWaiting.error.code).toBe('CONFER_PARTICIPANT_NOT_JOINED');
    const admitted = next(socket, 'admitted');
    const joinedSelf = next(
      socket,
      'participant-joined',
      (msg) => msg.participant.participantId === eve.participantId,
    );
    expect((await request(m.host, 'admit', { participantId: eve.participantId })).ok).toBe(true);
    await admitted;
    await joinedSelf;
    expect((await request(socket, 'chat', { message: 'thanks' })).ok).toBe(true);
  });

  it('mutes and removes participants; only the host may', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const notHost = await request(bob!.socket, 'mute-participant', {
      participantId: ann!.id,
      mediaType: 'audio',
    });
    expect(!notHost.ok && notHost.error.code).toBe('CONFER_FORBIDDEN');
    const muted = next(ann!.socket, 'media-update', (msg) => msg.participantId === ann!.id && !msg.audio);
    expect(
      (await request(m.host, 'mute-participant', { participantId: ann!.id, mediaType: 'audio' })).ok,
    ).toBe(true);
    await muted;
    const gone = next(bob!.socket, 'participant-left', (msg) => msg.participantId === ann!.id);
    const disconnected = new Promise((resolve) => ann!.socket.once('disconnect', resolve));
    expect((await request(m.host, 'remove-participant', { participantId: ann!.id })).ok).toBe(true);
    expect((await gone).reason).toBe('removed');
    await disconnected;
    const rejoin = await connect({ webSocketUrl: ann!.webSocketUrl, token: ann!.token }).catch(
      (e: Error & { data?: { code: string } }) => e,
    );
    expect((rejoin as Error & { data?: { code: string } }).data?.code).toBe('CONFER_PARTICIPANT_NOT_JOINED');
  });

  it('ends the meeting for everyone', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const ended = m.people.map((p) => next(p.socket, 'meeting-ended'));
    const left = next(
      m.people[0]!.socket,
      'participant-left',
      (msg) => msg.participantId === m.people[1]!.id,
    );
    expect((await request(m.host, 'end-meeting')).ok).toBe(true);
    expect((await left).reason).toBe('meeting-ended');
    for (const e of await Promise.all(ended)) expect(e.reason).toBe('host-ended');
    // The REST view is a read model: eventually consistent with what the sockets were told.
    await expect
      .poll(
        async () => (await client.call<{ status: string }>('GET', `/meetings/${m.meetingId}`)).body.status,
      )
      .toBe('ended');
  });
});

describe('leaving and reconnecting', () => {
  it('leaves idempotently and tells the others', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const left = next(bob!.socket, 'participant-left', (msg) => msg.participantId === ann!.id);
    expect((await request(ann!.socket, 'leave')).ok).toBe(true);
    expect((await left).reason).toBe('left');
    // Only those in the meeting see who is in it: Bob asks (the view is a read model: eventually).
    const present = async () =>
      (
        await client.call<{ participants: { participantId: string }[] }>(
          'GET',
          `/meetings/${m.meetingId}`,
          undefined,
          bob!.token,
        )
      ).body.participants.map((p) => p.participantId);
    await expect.poll(present).not.toContain(ann!.id);
    expect(await present()).toContain(bob!.id);
  });

  it('replays what a reconnecting client missed, from its last seq', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const before = next(bob!.socket, 'chat', (msg) => msg.message === 'before');
    const first = await request<{ seq: number }>(ann!.socket, 'chat', { message: 'before' });
    await before;
    const lastSeq = first.ok ? first.data.seq : -1;
    bob!.socket.disconnect();
    await request(ann!.socket, 'chat', { message: 'missed 1' });
    await request(ann!.socket, 'chat', { message: 'missed 2' });
    const again = await connect({ webSocketUrl: bob!.webSocketUrl, token: bob!.token });
    sockets.push(again);
    const seen = record(again, ['chat']);
    const ack = await request<JoinResult>(again, 'join', { lastSeq });
    expect(ack.ok).toBe(true);
    const messages = seen.map((s) => (s.payload as { message: string }).message);
    expect(messages).toEqual(['missed 1', 'missed 2']);
    expect(ack.ok && ack.data.replayed).toBeGreaterThanOrEqual(2);
  });

  it('marks a dropped participant reconnecting, then gone after the grace period', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const reconnecting = next(
      bob!.socket,
      'connection-update',
      (msg) => msg.participantId === ann!.id && msg.connectionStatus === 'reconnecting',
    );
    const left = next(bob!.socket, 'participant-left', (msg) => msg.participantId === ann!.id, 10_000);
    ann!.socket.disconnect();
    await reconnecting;
    expect((await left).reason).toBe('disconnected');
  });
});

describe('bad input over the socket', () => {
  it('refuses connections without a valid token for the meeting', async () => {
    const m = await meetingWith(['Ann']);
    const other = await meetingWith(['Zed']);
    const url = m.people[0]!.webSocketUrl;
    const attempt = (auth: Record<string, unknown>) =>
      connect({ webSocketUrl: url, token: '' }, auth).then(
        () => 'connected',
        (e: Error & { data?: { code: string } }) => e.data?.code,
      );
    expect(await attempt({ token: undefined })).toBe('CONFER_AUTH_MISSING');
    expect(await attempt({ token: 'garbage' })).toBe('CONFER_AUTH_INVALID');
    expect(await attempt({ token: other.people[0]!.token })).toBe('CONFER_AUTH_WRONG_MEETING');
    expect(await attempt({ token: m.hostToken })).toBe('CONFER_FORBIDDEN');
  });

  it('answers malformed messages with coded errors to that client only and loses nothing', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const bobErrors = record(bob!.socket, ['error']);
    const ok = await request<{ seq: number }>(ann!.socket, 'chat', { message: 'kept' });
    expect(ok.ok).toBe(true);
    const cases: [string, unknown, string, string | undefined][] = [
      ['teleport', { to: 'mars' }, 'CONFER_UNKNOWN_MESSAGE', 'type'],
      ['mute', {}, 'CONFER_VALIDATION_FAILED', 'mediaType'],
      ['mute', { mediaType: 'smell' }, 'CONFER_VALIDATION_FAILED', 'mediaType'],
      ['chat', { message: 'hi', extra: true }, 'CONFER_VALIDATION_FAILED', 'extra'],
      ['chat', 'not an object', 'CONFER_VALIDATION_FAILED', undefined],
      ['chat', { message: '   ' }, 'CONFER_CHAT_EMPTY', 'message'],
      ['chat', { message: 'x'.repeat(4097) }, 'CONFER_CHAT_TOO_LONG', 'message'],
      ['chat', { message: 'x'.repeat(9000) }, 'CONFER_VALIDATION_FAILED', 'message'],
      ['admit', { participantId: bob!.id }, 'CONFER_FORBIDDEN', undefined],
      ['lower-hand', { participantId: bob!.id }, 'CONFER_FORBIDDEN', undefined],
    ];
    for (const [type, payload, code, field] of cases) {
      const ack = await request(ann!.socket, type as 'chat', payload);
      expect(ack.ok, type).toBe(false);
      if (ack.ok) continue;
      expect(ack.error.code, `${type} ${JSON.stringify(payload).slice(0, 40)}`).toBe(code);
      if (field !== undefined) expect(ack.error.field, type).toBe(field);
    }
    // Without an acknowledgement the error comes back as an `error` event to the sender only.
    const annError = next(ann!.socket, 'error');
    (ann!.socket as unknown as { emit(e: string, p: unknown): void }).emit('mute', { mediaType: 'smell' });
    expect((await annError).code).toBe('CONFER_VALIDATION_FAILED');
    expect(bobErrors).toEqual([]);
    const history = await client.call<{ messages: { message: string }[] }>(
      'GET',
      `/meetings/${m.meetingId}/chat`,
      undefined,
      bob!.token,
    );
    expect(history.body.messages.map((x) => x.message)).toEqual(['kept']);
    expect((await request(ann!.socket, 'chat', { message: 'still works' })).ok).toBe(true);
  });

  it('rate-limits a flood from one socket without affecting others', async () => {
    const m = await meetingWith(['Ann', 'Bob']);
    const [ann, bob] = m.people;
    const acks = await Promise.all(
      Array.from({ length: 60 }, (_, i) => request(ann!.socket, 'chat', { message: `flood ${i}` })),
    );
    const limited = acks.filter((a) => !a.ok && a.error.code === 'CONFER_RATE_LIMITED');
    const accepted = acks.filter((a) => a.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThan(0);
    expect((await request(bob!.socket, 'chat', { message: 'unaffected' })).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const history = await client.call<{ messages: { message: string }[] }>(
      'GET',
      `/meetings/${m.meetingId}/chat?limit=200`,
      undefined,
      bob!.token,
    );
    expect(history.body.messages.filter((x) => x.message.startsWith('flood'))).toHaveLength(accepted.length);
  });
});
