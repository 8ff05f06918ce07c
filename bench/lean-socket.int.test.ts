import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectSocket } from './chat-share';
import { LeanSocket, type ChatSocket } from './lean-socket';

/**
 * The lean client against a real socket.io server, beside socket.io-client itself: whatever one
 * sends, the server reads the same, and whatever the server sends, both hear the same.
 */
let http: HttpServer;
let server: Server;
let base: string;
const opened: ChatSocket[] = [];

beforeEach(async () => {
  http = createServer();
  // A short ping interval, so that the connections below live through several pings.
  server = new Server(http, { pingInterval: 100, pingTimeout: 200 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.disconnect();
  await server.close();
});

const clients = {
  lean: (url: string, auth: Record<string, unknown>) => connectSocket(url, auth, 'lean'),
  'socket.io-client': (url: string, auth: Record<string, unknown>) => connectSocket(url, auth, 'socket.io'),
};

describe.each(Object.entries(clients))('%s', (_name, connect) => {
  const open = async (url: string, auth: Record<string, unknown>) => {
    const socket = await connect(url, auth);
    opened.push(socket);
    return socket;
  };

  it('joins a namespace of its own with its auth, and emits with an acknowledgement', async () => {
    const seen: unknown[] = [];
    server.of(/^\/meetings\/\w+$/).on('connection', (socket) => {
      seen.push({ nsp: socket.nsp.name, auth: socket.handshake.auth });
      socket.on('chat', (payload: unknown, ack: (r: unknown) => void) => {
        seen.push(payload);
        ack({ ok: true, echo: payload });
      });
    });
    const socket = await open(`${base}/meetings/m1`, { token: 'tok-é-\u{1F600}' });
    expect(socket.id).toMatch(/\S+/);
    const reply = await new Promise((resolve) =>
      socket.emit('chat', { message: 'héllo "quoted" \\ \u2028 line' }, resolve),
    );
    expect(reply).toEqual({ ok: true, echo: { message: 'héllo "quoted" \\ \u2028 line' } });
    expect(seen).toEqual([
      { nsp: '/meetings/m1', auth: { token: 'tok-é-\u{1F600}' } },
      { message: 'héllo "quoted" \\ \u2028 line' },
    ]);
  });

  it("hears the server's events, in order, and keeps up with its pings", async () => {
    server.on('connection', (socket) => {
      socket.on('go', () => {
        for (let i = 0; i < 5; i++) socket.emit('chat', { message: `m${i}` });
      });
    });
    const socket = await open(base, {});
    // Five pings' worth: a client that did not answer them would be dropped after 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const heard: string[] = [];
    const all = new Promise<void>((resolve) =>
      socket.on('chat', (msg: { message: string }) => {
        heard.push(msg.message);
        if (heard.length === 5) resolve();
      }),
    );
    socket.emit('go', {});
    await all;
    expect(heard).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  }, 10_000);

  it("is refused with the server's message and data", async () => {
    server.of('/meetings/closed').use((_socket, next) => {
      next(Object.assign(new Error('meeting ended'), { data: { code: 'MEETING_ENDED' } }));
    });
    const refused = connect(`${base}/meetings/closed`, { token: 'x' });
    await expect(refused).rejects.toThrow('meeting ended');
    await expect(refused).rejects.toMatchObject({ data: { code: 'MEETING_ENDED' } });
  });

  it('leaves, and the server sees it go', async () => {
    const gone = new Promise<string>((resolve) =>
      server.on('connection', (socket) => socket.on('disconnect', (reason) => resolve(reason))),
    );
    const socket = await connect(base, {});
    socket.disconnect();
    expect(await gone).toBe('client namespace disconnect');
  });
});

it('the lean client rejects when nothing answers', async () => {
  await expect(LeanSocket.connect('http://127.0.0.1:9/', {})).rejects.toThrow(/ECONNREFUSED/);
});
