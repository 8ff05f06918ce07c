import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connect, next, request, type ClientSocket } from '../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../test/support/confer-process';

/**
 * bench/chat-stages.ts reads the gateway's diagnostics channels through a preload in the server's
 * process: if a channel stopped being published (or moved), the tool would time nothing. A real
 * server, real sockets, the chat sent as the design prints it.
 */
let server: ConferProcess;
const dir = mkdtempSync(join(tmpdir(), 'confer-stages-test-'));
const out = join(dir, 'stages.json');
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  const preload = fileURLToPath(new URL('./chat-stages-preload.mjs', import.meta.url));
  server = await startConferProcess({ NODE_OPTIONS: `--import ${preload}`, CHAT_STAGES_OUT: out });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function notes(): Promise<{
  stages: Record<'received' | 'answered' | 'broadcast', Record<string, number>>;
  gcs: unknown[];
}> {
  rmSync(out, { force: true });
  server.process.signal('SIGUSR2');
  for (let i = 0; i < 50 && !existsSync(out); i++) await sleep(100);
  await sleep(100);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('chat stages timed through the gateway’s diagnostics channels', () => {
  it('notes a chat read, answered and broadcast, in that order, and a refused one read and answered only', async () => {
    const client = api(server.url);
    const meeting = await client.createMeeting({ title: 'Stages' });
    const host = await connect(
      await client.join(meeting.meetingId, 'Host', { hostToken: meeting.hostToken }),
    );
    const guest = await connect(await client.join(meeting.meetingId, 'Guest'));
    sockets.push(host, guest);
    expect((await request(host, 'join', {})).ok).toBe(true);
    expect((await request(guest, 'join', {})).ok).toBe(true);
    await notes(); // what the joins left behind is not this test's

    const arrived = next(guest, 'chat', (m) => m.message === 'm1');
    expect((await request(host, 'chat', { type: 'chat', message: 'm1' })).ok).toBe(true);
    await arrived;
    // A chat of the wrong shape: refused, still answered.
    expect((await request(host, 'chat', { type: 'chat', message: 'm2', extra: true })).ok).toBe(false);
    // Text that names an object's own keys is noted like any other.
    const proto = next(guest, 'chat', (m) => m.message === '__proto__');
    expect((await request(host, 'chat', { type: 'chat', message: '__proto__' })).ok).toBe(true);
    await proto;

    const { stages } = await notes();
    const { received, answered, broadcast } = stages;
    expect(received['m1']).toBeGreaterThan(0);
    expect(answered['m1']).toBeGreaterThanOrEqual(received['m1']!);
    expect(broadcast['m1']).toBeGreaterThanOrEqual(received['m1']!);
    expect(answered['m2']).toBeGreaterThanOrEqual(received['m2']!);
    expect(broadcast['m2']).toBeUndefined();
    expect(Object.hasOwn(broadcast, '__proto__')).toBe(true);
    expect(broadcast['__proto__']).toBeGreaterThanOrEqual(received['__proto__']!);
    // The clock is the machine's monotonic one, which the tester reads too.
    const tester = Number(process.hrtime.bigint()) / 1e6;
    expect(received['m1']).toBeLessThan(tester);
    expect(tester - received['m1']!).toBeLessThan(60_000);
  });
});
