import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../test/support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';

const run = promisify(execFile);
const confer = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['bin/confer.mjs', ...args], {
    env: { PATH: process.env['PATH'] ?? '', AUTH_SECRET: TEST_AUTH_SECRET, ...env },
  });

let server: ConferProcess;
beforeAll(async () => {
  server = await startConferProcess();
});
afterAll(async () => {
  await server?.dispose();
});

describe('npx confer token create', () => {
  it('prints a token alone on stdout that the server accepts for its role', async () => {
    const { stdout } = await confer(['token', 'create', '--role', 'operator', '--ttl', '15m']);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = decodeJwt(stdout.trim());
    expect(claims['role']).toBe('operator');
    expect(claims.exp! - claims.iat!).toBe(900);
    const meetings = await api(server.url).call('GET', '/meetings', undefined, stdout.trim());
    expect(meetings.status).toBe(200);
  });

  it('scopes auditors and analysts to a meeting and prints JSON on request', async () => {
    const { stdout } = await confer([
      'token',
      'create',
      '--role',
      'analyst',
      '--meeting',
      'meeting-123',
      '--json',
    ]);
    const printed = JSON.parse(stdout) as { token: string; role: string; meetingId: string };
    expect(printed).toMatchObject({ role: 'analyst', meetingId: 'meeting-123' });
    expect(decodeJwt(printed.token)['mid']).toBe('meeting-123');
  });

  it('refuses bad arguments with a message naming the option and exit code 2', async () => {
    for (const args of [
      ['token', 'create', '--role', 'pirate'],
      ['token', 'create', '--role', 'user'],
      ['token', 'create', '--role', 'operator', '--ttl', 'forever'],
      ['token', 'create', '--role', 'operator', '--meeting', 'meeting-123'],
    ]) {
      const failed = await confer(args).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code, args.join(' ')).toBe(2);
      expect(failed?.stderr).toMatch(/--(role|user|ttl|meeting)/);
    }
  });
});
