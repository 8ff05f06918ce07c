import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, next, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { PlainClient, plainWebSocketUrl } from '../../test/support/plain-ws-client';

/** The plain WebSocket endpoint, driven with nothing but `ws`, beside a socket.io client. */
let server: ConferProcess;
let client: ReturnType<typeof api>;
const plain: PlainClient[] = [];
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startConferProcess({ SOCKET_RATE_PER_SECOND: '5', SOCKET_RATE_BURST: '10' });
  client = api(server.url);
});
afterAll(async () => {
  for (const p of plain) p.close();
  for (const s of sockets) s.disconnect();
  await server?.dispose();
});

async function openPlain(joined: { webSocketUrl: string; token: string }): Promise<PlainClient> {
  const p = await PlainClient.open(plainWebSocketUrl(joined.webSocketUrl, joined.token));
  plain.push(p);
  return p;
}

async function meetingWithHost() {
  const m = await client.createMeeting({ title: 'Plain' });
  const hostJoin = await client.join(m.meetingId, 'Host', { hostToken: m.hostToken });
  const host = await connect(hostJoin);
  sockets.push(host);
  expect((await request(host, 'join', {})).ok).toBe(true);
  return { ...m, host, hostId: hostJoin.participantId };
}

describe('plain WebSocket endpoint', () => {
  it('answers requests with an id by ack frames, and carries broadcasts both ways with socket.io', async () => {
    const m = await meetingWithHost();
    const ann = await client.join(m.meetingId, 'Ann');
    const ws = await openPlain(ann);
    const joined = await ws.request('join', { lastSeq: -1 });
    expect(joined).toMatchObject({ type: 'ack', ok: true });
    const data = joined.ok
      ? (joined.data as { self: { participantId: string }; participants: unknown[] })
      : undefined;
    expect(data?.self.participantId).toBe(ann.participantId);
    expect(data?.participants).toHaveLength(2);

    // From the plain client to the socket.io one, and back.
    const hostHears = next(m.host, 'chat', (c) => c.message === 'from plain');
    expect(await ws.request('chat', { message: 'from plain' })).toMatchObject({
      ok: true,
      data: { seq: expect.any(Number) },
    });
    expect(await hostHears).toMatchObject({ type: 'chat', from: ann.participantId, message: 'from plain' });
    expect((await request(m.host, 'chat', { message: 'from socket.io' })).ok).toBe(true);
    expect(await ws.next('chat', (f) => f['message'] === 'from socket.io')).toMatchObject({
      type: 'chat',
      from: m.hostId,
      timestamp: expect.any(String),
      seq: expect.any(Number),
    });
  });

  it('replays what a reconnecting plain client missed, from lastSeq', async () => {
    const m = await meetingWithHost();
    const bob = await client.join(m.meetingId, 'Bob');
    const first = await openPlain(bob);
    const answer = await first.request('join', {});
    const seq = answer.ok ? (answer.data as { seq: number }).seq : -1;
    first.close();
    await first.closed;
    for (const message of ['one', 'two', 'three'])
      expect((await request(m.host, 'chat', { message })).ok).toBe(true);
    const again = await openPlain(bob);
    const rejoin = await again.request('join', { lastSeq: seq });
    expect(rejoin.ok && (rejoin.data as { replayed: number }).replayed).toBeGreaterThanOrEqual(3);
    const replayed = again.frames.filter((f) => f.type === 'chat').map((f) => f['message']);
    expect(replayed).toEqual(['one', 'two', 'three']);
  });

  it('refuses bad frames with coded errors and goes on', async () => {
    const m = await meetingWithHost();
    const eve = await client.join(m.meetingId, 'Eve');
    const ws = await openPlain(eve);
    ws.sendRaw('this is { not json');
    expect(await ws.next('error')).toMatchObject({ code: 'CONFER_VALIDATION_FAILED', field: 'payload' });
    ws.send({ type: 'teleport', id: 1 });
    expect(await ws.next('ack', (f) => f['id'] === 1)).toMatchObject({
      ok: false,
      error: { code: 'CONFER_UNKNOWN_MESSAGE', field: 'type' },
    });
    expect(await ws.request('chat', { message: 'x', extra: true })).toMatchObject({
      ok: false,
      error: { code: 'CONFER_VALIDATION_FAILED', field: 'extra' },
    });
    ws.send({ type: 'chat', id: { nested: true }, message: 'x' });
    expect(await ws.next('error', (f) => f['field'] === 'id')).toMatchObject({
      code: 'CONFER_VALIDATION_FAILED',
    });
    expect(await ws.request('chat', { message: 'still fine' })).toMatchObject({ ok: true });
  });

  it('rate-limits per participant across both framings', async () => {
    const m = await meetingWithHost();
    const flood = await client.join(m.meetingId, 'Flood');
    const a = await openPlain(flood);
    const b = await connect(flood);
    sockets.push(b);
    const started = Date.now();
    const acks = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => a.request('chat', { message: `a${i}` })),
      ...Array.from({ length: 30 }, (_, i) => request(b, 'chat', { message: `b${i}` })),
    ]);
    const accepted = acks.filter((x) => x.ok).length;
    expect(accepted).toBeGreaterThan(0);
    // One budget for both connections: 10 per 2 s window, for the windows the flood spanned.
    expect(accepted).toBeLessThanOrEqual(10 * (Math.ceil((Date.now() - started) / 2000) + 1));
    expect(accepted).toBeLessThan(60);
  });

  it('refuses a bad token with an error frame and closes with 1008', async () => {
    const m = await meetingWithHost();
    const ws = await PlainClient.open(
      `${server.url.replace('http', 'ws')}/meetings/${m.meetingId}?token=forged`,
    );
    expect(await ws.next('error')).toMatchObject({ code: 'CONFER_AUTH_INVALID' });
    expect((await ws.closed).code).toBe(1008);
  });

  it("relays the design's offer, answer and ice-candidate only between present participants", async () => {
    const m = await meetingWithHost();
    const ann = await client.join(m.meetingId, 'Ann');
    const ws = await openPlain(ann);
    await ws.request('join', {});
    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    const hostGets = next(m.host, 'offer');
    expect(await ws.request('offer', { to: m.hostId, sdp })).toMatchObject({
      ok: true,
      data: { delivered: 1 },
    });
    expect(await hostGets).toEqual({ type: 'offer', from: ann.participantId, sdp });
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    expect((await request(m.host, 'ice-candidate', { to: ann.participantId, candidate })).ok).toBe(true);
    expect(await ws.next('ice-candidate')).toEqual({ type: 'ice-candidate', from: m.hostId, candidate });
    // Not to someone who left, not to oneself, not an oversized SDP.
    const bob = await client.join(m.meetingId, 'Bob');
    const bobWs = await openPlain(bob);
    expect((await bobWs.request('leave')).ok).toBe(true);
    expect(
      await ws.request('answer', { to: bob.participantId, sdp: { type: 'answer', sdp: 'v=0\r\n' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'CONFER_PARTICIPANT_NOT_JOINED', field: 'to' },
    });
    expect(await ws.request('offer', { to: ann.participantId, sdp })).toMatchObject({
      ok: false,
      error: { field: 'to' },
    });
    expect(
      await ws.request('offer', { to: m.hostId, sdp: { type: 'offer', sdp: 'a'.repeat(70_000) } }),
    ).toMatchObject({ ok: false, error: { code: 'CONFER_VALIDATION_FAILED', field: 'sdp.sdp' } });
  });
});
