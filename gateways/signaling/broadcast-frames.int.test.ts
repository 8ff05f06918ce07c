import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { OwnFrameAdapter, textFrame } from './broadcast-frames';

/** ws's frame parser, which its types leave out. */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  write(chunk: Buffer): void;
}
const { Receiver } = WebSocket as unknown as {
  Receiver: new (options: { isServer: boolean }) => FrameReceiver;
};

/** What ws, as a client, reads out of `frame`. */
function decoded(frame: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data, isBinary) =>
      isBinary ? reject(new Error('binary frame')) : resolve(data.toString()),
    );
    receiver.on('error', reject);
    receiver.write(frame);
  });
}

describe('textFrame', () => {
  // Each length form of the header (7-bit, 16-bit, 64-bit), at and around its bounds, and text
  // whose UTF-8 is longer than its UTF-16 length.
  const texts = [
    '',
    'a'.repeat(125),
    'a'.repeat(126),
    'é'.repeat(40_000),
    'a'.repeat(65_535),
    'a'.repeat(65_536),
  ];
  texts.push('👋🏽 zero\u200bwidth, RTL \u202e, NUL \0 and a lone surrogate \ud800');

  it.each(texts.map((text) => [text.length, text] as const))(
    'a ws client reads back %i chars',
    async (_, text) => {
      const frame = textFrame(text);
      expect(await decoded(frame)).toBe(Buffer.from(text).toString());
      // Memory of its own: not a slice of Node's shared pool.
      expect(frame.byteOffset).toBe(0);
      expect(frame.buffer.byteLength).toBe(frame.length);
    },
  );
});

describe('OwnFrameAdapter', () => {
  let http: HttpServer;
  let io: Server;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    http = createServer();
    io = new Server(http, { adapter: OwnFrameAdapter, serveClient: false });
    io.on('connection', (socket) => void socket.join('room'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    for (let i = 0; i < 3; i++) {
      const client = connectClient(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
      clients.push(client);
      await new Promise<void>((resolve) => client.once('connect', resolve));
    }
    await vi.waitFor(() => expect(io.of('/').adapter.rooms.get('room')?.size).toBe(3));
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await io.close();
  });

  it('encodes a broadcast once, into a frame of its own, that every socket in the room reads', async () => {
    // A spy calls through: the adapter's own encoding runs, and its arguments are kept.
    const spy = vi.spyOn(
      OwnFrameAdapter.prototype as unknown as { _encode: (...a: unknown[]) => unknown },
      '_encode',
    );
    const payload = { text: 'héllo 👋🏽', long: 'x'.repeat(70_000) };
    const received = clients.map(
      (client) => new Promise<unknown>((resolve) => client.once('chat', (body: unknown) => resolve(body))),
    );
    io.to('room').emit('chat', payload);
    expect(await Promise.all(received)).toEqual([payload, payload, payload]);
    expect(spy).toHaveBeenCalledTimes(1);
    const frames = (spy.mock.calls[0]![1] as { wsPreEncodedFrame?: Buffer[] }).wsPreEncodedFrame ?? [];
    expect(frames).toHaveLength(1);
    expect(frames[0]!.buffer.byteLength).toBe(frames[0]!.length);
    expect(await decoded(frames[0]!)).toBe(`42${JSON.stringify(['chat', payload])}`);
    spy.mockRestore();
  });
});
