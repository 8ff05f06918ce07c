import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The chat bench's second baseline must be what it says: a chat is on disk before anyone else
 * sees it or its sender is answered, and only the room hears it. A baseline that skipped the
 * write would make Confer's durable append look dearer than it is.
 */
describe('the durable relay (bench/durable-relay-server.ts)', () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/durable-relay-server.ts', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let url = '';
  let database = '';
  const sockets: Socket[] = [];

  const connect = async (room: string): Promise<Socket> => {
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) =>
      socket.once('connect', () => resolve()).once('connect_error', reject),
    );
    await socket.emitWithAck('join', { room });
    return socket;
  };
  const storedMessages = (): string[] => {
    const db = new Database(database, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare<[], { message: string }>('SELECT message FROM chats ORDER BY position')
        .all()
        .map((r) => r.message);
    } finally {
      db.close();
    }
  };

  beforeAll(async () => {
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    ({ port: url, database } = JSON.parse(line) as { port: string; database: string });
    url = `http://127.0.0.1:${url}`;
  });

  const stop = async () => {
    for (const s of sockets) s.close();
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  afterAll(stop);

  it('stores each chat before the room hears it and before its sender is answered', async () => {
    const [ann, bob, other] = [await connect('r1'), await connect('r1'), await connect('r2')];
    const heardByOther: unknown[] = [];
    other.on('chat', (m) => heardByOther.push(m));
    // Read as the message arrives (a failed read fails the test rather than leaving it waiting).
    const storedWhenHeard = new Promise<string[]>((resolve, reject) =>
      bob.once('chat', () => {
        try {
          resolve(storedMessages());
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
    const ack = (await ann.emitWithAck('chat', { message: 'hello' })) as { ok: boolean };
    const storedWhenAnswered = storedMessages();

    expect(ack.ok).toBe(true);
    expect(await storedWhenHeard).toEqual(['hello']);
    expect(storedWhenAnswered).toEqual(['hello']);
    // Written in the write-ahead log, as the event store's writer does.
    const db = new Database(database, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // Then another round trip: nothing of r1's reached r2.
    await other.emitWithAck('chat', { message: 'elsewhere' });
    expect(heardByOther).toEqual([]);
  });

  it('removes its database when stopped', async () => {
    expect(existsSync(database)).toBe(true);
    await stop();
    expect(existsSync(database)).toBe(false);
  });
});
