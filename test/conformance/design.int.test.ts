import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConferProcess, type ConferProcess } from '../support/confer-process';

/**
 * Conformance to the design document (shared/seed/video-conference-design.md, "API Design"),
 * written from the document alone: raw HTTP, a raw WebSocket and a raw socket.io client, no
 * project types or helpers but the process starter. Messages are sent exactly as the design
 * prints them. Where the design leaves something out, Confer's addition is named: the join
 * answer's `token` (the design's join answer has no credential for the socket).
 */
let server: ConferProcess;
beforeAll(async () => {
  server = await startConferProcess();
});
afterAll(async () => {
  await server?.dispose();
});

type Json = Record<string, unknown>;
async function http(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** A raw WebSocket client: frames in, frames out. */
async function rawSocket(url: string) {
  const ws = new WebSocket(url);
  const frames: Json[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Json));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFor = async (match: (f: Json) => boolean, timeoutMs = 5000): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = frames.find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no frame matching within ${timeoutMs} ms: ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ws, frames, send: (m: unknown) => ws.send(JSON.stringify(m)), waitFor };
}

/** A raw socket.io client: each design message sent as the event named by its `type`. */
async function rawSocketIo(url: string, token: string) {
  const socket: Socket = io(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  const got: Json[] = [];
  socket.onAny((_event: string, payload: Json) => got.push(payload));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const send = (m: Json & { type: string }): Promise<Json> =>
    new Promise((resolve) => socket.emit(m.type, m, (ack: Json) => resolve(ack)));
  const waitFor = async (match: (f: Json) => boolean, timeoutMs = 5000): Promise<Json> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = got.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no message matching within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { socket, got, send, waitFor };
}

const wsUrl = (webSocketUrl: string, token: string) =>
  `${webSocketUrl.replace(/^http/, 'ws')}?token=${encodeURIComponent(token)}`;

describe('REST APIs (Meeting Management), as the design prints them', () => {
  it('POST /meetings, GET /meetings/{id}, POST /meetings/{id}/join, DELETE /meetings/{id}', async () => {
    const created = await http('POST', '/meetings', {
      title: 'Design review',
      startTime: new Date().toISOString(),
      settings: {},
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      meetingId: expect.any(String),
      joinUrl: expect.any(String),
      hostToken: expect.any(String),
    });
    const meetingId = created.body['meetingId'] as string;

    const read = await http('GET', `/meetings/${meetingId}`, undefined, created.body['hostToken'] as string);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ meetingId, title: 'Design review', status: 'active' });

    const joined = await http('POST', `/meetings/${meetingId}/join`, {
      userId: 'user-1',
      displayName: 'Ada',
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({
      participantId: expect.any(String),
      webSocketUrl: expect.any(String),
      iceServers: expect.any(Array),
    });

    const deleted = await http(
      'DELETE',
      `/meetings/${meetingId}`,
      undefined,
      created.body['hostToken'] as string,
    );
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true });
  });

  it('refuses bad input with a coded error naming the field', async () => {
    const bad = await http('POST', '/meetings', { title: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: expect.stringMatching(/^CONFER_/), field: 'title' } });
  });
});

/** Two people in a meeting, as the design's REST flow makes them. */
async function twoPeople() {
  const created = await http('POST', '/meetings', {
    title: 'Signaling',
    startTime: new Date().toISOString(),
    settings: {},
  });
  const meetingId = created.body['meetingId'] as string;
  const join = async (displayName: string) =>
    (await http('POST', `/meetings/${meetingId}/join`, { userId: `u-${displayName}`, displayName })).body as {
      participantId: string;
      webSocketUrl: string;
      token: string;
    };
  return { meetingId, a: await join('Ada'), b: await join('Bob') };
}

describe('WebSocket APIs (Real-time Signaling), over a plain WebSocket', () => {
  it('carries every client command and server message as the design prints it', async () => {
    const { a, b } = await twoPeople();
    const A = await rawSocket(wsUrl(a.webSocketUrl, a.token));
    const B = await rawSocket(wsUrl(b.webSocketUrl, b.token));
    A.send({ type: 'join', participantId: '', capabilities: ['audio', 'video', 'screen'] });
    B.send({ type: 'join', participantId: '', capabilities: ['audio', 'video', 'screen'] });
    // "Sends join, receives the list of existing participants": the design's join has no id, so
    // its answer comes as a `joined` message.
    const [aJoined, bJoined] = await Promise.all([
      A.waitFor((f) => f['type'] === 'joined'),
      B.waitFor((f) => f['type'] === 'joined'),
    ]);
    expect(aJoined['self']).toMatchObject({ participantId: a.participantId, connectionStatus: 'connected' });
    expect(bJoined['self']).toMatchObject({ participantId: b.participantId, connectionStatus: 'connected' });
    for (const answer of [aJoined, bJoined])
      expect((answer['participants'] as { participantId: string }[]).map((p) => p.participantId)).toEqual(
        expect.arrayContaining([a.participantId]),
      );
    expect((bJoined['participants'] as { participantId: string }[]).map((p) => p.participantId)).toEqual(
      expect.arrayContaining([a.participantId, b.participantId]),
    );

    // Someone new arrives: { "type": "participant-joined", "participant": {...} }
    const carol = (
      await http('POST', `/meetings/${a.webSocketUrl.split('/').pop()}/join`, {
        userId: 'u-c',
        displayName: 'Carol',
      })
    ).body as { participantId: string };
    const arrived = await A.waitFor((f) => f['type'] === 'participant-joined');
    expect(arrived['participant']).toMatchObject({ participantId: carol.participantId });

    A.send({ type: 'chat', message: 'Hello everyone' });
    const chat = await B.waitFor((f) => f['type'] === 'chat');
    expect(chat).toMatchObject({
      type: 'chat',
      from: a.participantId,
      message: 'Hello everyone',
      timestamp: expect.any(String),
    });

    A.send({ type: 'mute', mediaType: 'audio' });
    expect(await B.waitFor((f) => f['type'] === 'media-update' && f['audio'] === false)).toMatchObject({
      type: 'media-update',
      participantId: a.participantId,
      audio: false,
      video: expect.any(Boolean),
    });
    A.send({ type: 'unmute', mediaType: 'video' });
    expect(
      await B.waitFor((f) => f['type'] === 'media-update' && f['video'] === true && f['audio'] === false),
    ).toMatchObject({
      participantId: a.participantId,
    });

    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n' };
    A.send({ type: 'offer', to: b.participantId, sdp });
    expect(await B.waitFor((f) => f['type'] === 'offer')).toEqual({
      type: 'offer',
      from: a.participantId,
      sdp,
    });
    const reply = { type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n' };
    B.send({ type: 'answer', to: a.participantId, sdp: reply });
    expect(await A.waitFor((f) => f['type'] === 'answer')).toEqual({
      type: 'answer',
      from: b.participantId,
      sdp: reply,
    });
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    A.send({ type: 'ice-candidate', to: b.participantId, candidate });
    expect(await B.waitFor((f) => f['type'] === 'ice-candidate')).toEqual({
      type: 'ice-candidate',
      from: a.participantId,
      candidate,
    });

    A.send({ type: 'leave' });
    expect(await B.waitFor((f) => f['type'] === 'participant-left')).toMatchObject({
      type: 'participant-left',
      participantId: a.participantId,
    });
    A.ws.close();
    B.ws.close();
  });

  it('answers bad input with a coded error and keeps the connection', async () => {
    const { a } = await twoPeople();
    const A = await rawSocket(wsUrl(a.webSocketUrl, a.token));
    A.send({ type: 'chat', message: 42 });
    expect(await A.waitFor((f) => f['type'] === 'error')).toMatchObject({
      code: expect.stringMatching(/^CONFER_/),
      field: 'message',
    });
    A.send({ type: 'teleport', to: 'mars' });
    expect(await A.waitFor((f) => f['type'] === 'error' && f['field'] === 'type')).toMatchObject({
      code: expect.stringMatching(/^CONFER_/),
    });
    A.ws.send('not json');
    expect(await A.waitFor((f) => f['type'] === 'error' && f['field'] === 'payload')).toBeDefined();
    A.send({ type: 'chat', message: 'still here' });
    A.send({ type: 'mute', mediaType: 'smell' });
    expect(await A.waitFor((f) => f['type'] === 'error' && f['field'] === 'mediaType')).toBeDefined();
    expect(A.ws.readyState).toBe(WebSocket.OPEN);
    A.ws.close();
  });
});

describe('WebSocket APIs (Real-time Signaling), over socket.io', () => {
  it('takes the design objects as event payloads, type included, and sends typed messages', async () => {
    const { a, b } = await twoPeople();
    const A = await rawSocketIo(a.webSocketUrl, a.token);
    const B = await rawSocketIo(b.webSocketUrl, b.token);
    expect(
      await A.send({ type: 'join', participantId: '', capabilities: ['audio', 'video', 'screen'] }),
    ).toMatchObject({ ok: true });
    expect(
      await B.send({ type: 'join', participantId: '', capabilities: ['audio', 'video', 'screen'] }),
    ).toMatchObject({ ok: true });
    expect(await A.send({ type: 'chat', message: 'Hello everyone' })).toMatchObject({ ok: true });
    expect(await B.waitFor((m) => m['type'] === 'chat')).toMatchObject({
      type: 'chat',
      from: a.participantId,
      message: 'Hello everyone',
      timestamp: expect.any(String),
    });
    expect(await A.send({ type: 'mute', mediaType: 'audio' })).toMatchObject({ ok: true });
    expect(await B.waitFor((m) => m['type'] === 'media-update')).toMatchObject({
      type: 'media-update',
      participantId: a.participantId,
      audio: false,
      video: expect.any(Boolean),
    });
    // A type that is not the event's own: refused, naming `type`.
    const mismatch = await new Promise<Json>((resolve) =>
      A.socket.emit('unmute', { type: 'mute', mediaType: 'audio' }, resolve),
    );
    expect(mismatch).toMatchObject({ ok: false, error: { code: 'CONFER_VALIDATION_FAILED', field: 'type' } });
    expect(await A.send({ type: 'leave' })).toMatchObject({ ok: true });
    expect(await B.waitFor((m) => m['type'] === 'participant-left')).toMatchObject({
      participantId: a.participantId,
    });
    A.socket.disconnect();
    B.socket.disconnect();
  });
});
