import { request } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../support/confer-process';

/**
 * Issue 10, attacked from outside against the real server process: each case reproduces a defect
 * that let a stranger find, enter or read meetings, or fail other meetings' writes.
 */
type ErrorBody = { error: { code: string; message: string; field?: string } };

let server: ConferProcess;
let client: ReturnType<typeof api>;
const key = new TextEncoder().encode(TEST_AUTH_SECRET);
const sign = (claims: Record<string, unknown>, exp: number | null = Math.floor(Date.now() / 1000) + 600) => {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(key);
};

beforeAll(async () => {
  server = await startConferProcess();
  client = api(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

describe('1. listing meetings', () => {
  it('refuses strangers and participants; an operator sees all, a user only the meetings they host', async () => {
    const mine = await client.call<{ meetingId: string }>(
      'POST',
      '/meetings',
      { title: 'Mine' },
      await sign({ role: 'user', uid: 'u-alice' }),
    );
    expect(mine.status).toBe(201);
    const other = await client.createMeeting({ title: 'Someone else’s' });
    const anonymous = await client.call<ErrorBody>('GET', '/meetings');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('CONFER_AUTH_MISSING');
    const guest = await client.join(other.meetingId, 'Guest');
    const asParticipant = await client.call<ErrorBody>('GET', '/meetings', undefined, guest.token);
    expect(asParticipant.status).toBe(403);
    const asHost = await client.call<ErrorBody>('GET', '/meetings', undefined, other.hostToken);
    expect(asHost.status).toBe(403);

    const operator = await sign({ role: 'operator' });
    const all = await client.call<{ meetings: { meetingId: string }[] }>(
      'GET',
      '/meetings?limit=200',
      undefined,
      operator,
    );
    expect(all.status).toBe(200);
    expect(all.body.meetings.map((m) => m.meetingId)).toEqual(
      expect.arrayContaining([mine.body.meetingId, other.meetingId]),
    );

    const alice = await client.call<{ meetings: { meetingId: string }[] }>(
      'GET',
      '/meetings',
      undefined,
      await sign({ role: 'user', uid: 'u-alice' }),
    );
    expect(alice.body.meetings.map((m) => m.meetingId)).toEqual([mine.body.meetingId]);
    const bob = await client.call<{ meetings: unknown[] }>(
      'GET',
      '/meetings',
      undefined,
      await sign({ role: 'user', uid: 'u-bob' }),
    );
    expect(bob.body.meetings).toEqual([]);
  });

  it('does not let a user create a meeting in another user’s name', async () => {
    const res = await client.call<ErrorBody>(
      'POST',
      '/meetings',
      { title: 'Spoof', hostUserId: 'u-bob' },
      await sign({ role: 'user', uid: 'u-alice' }),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.field).toBe('hostUserId');
  });
});

describe('2. passcodes', () => {
  it('refuses weak passcodes at creation, naming the field', async () => {
    for (const passcode of ['1234', '1234567', 'aaaaaaaa']) {
      const res = await client.call<ErrorBody>('POST', '/meetings', { title: 'x', settings: { passcode } });
      expect(res.status, passcode).toBe(400);
      expect(res.body.error.field).toBe('settings.passcode');
    }
  });

  it('locks a guesser out after 5 wrong tries, whatever X-Forwarded-For says, and records it for the host', async () => {
    const meeting = await client.createMeeting({ title: 'Locked', settings: { passcode: 'correct-horse' } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${server.url}/meetings/${meeting.meetingId}/join`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.${i}.${i}` },
        body: JSON.stringify({ displayName: 'Mallory', passcode: `guess-${i}00000` }),
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    // Even the right passcode waits out the lockout from that client: guessing gains nothing.
    const right = await client.call<ErrorBody>('POST', `/meetings/${meeting.meetingId}/join`, {
      displayName: 'M',
      passcode: 'correct-horse',
    });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('CONFER_RATE_LIMITED');
    expect(right.body.error.field).toBe('passcode');
    // The host (and auditors) see the lockout in the meeting's history.
    const host = await client.join(meeting.meetingId, 'Host', { hostToken: meeting.hostToken });
    expect(host.status).toBe('joined');
  });
});

describe('3. waiting, denied and removed participants', () => {
  it('read nothing of the meeting; admitted participants do', async () => {
    const meeting = await client.createMeeting({ title: 'Private', settings: { waitingRoom: true } });
    const host = await client.join(meeting.meetingId, 'Host', { hostToken: meeting.hostToken });
    const waiting = await client.join(meeting.meetingId, 'Waiting guest');
    expect(waiting.status).toBe('waiting');
    for (const path of ['chat', 'participants']) {
      const res = await client.call<ErrorBody>(
        'GET',
        `/meetings/${meeting.meetingId}/${path}`,
        undefined,
        waiting.token,
      );
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('CONFER_FORBIDDEN');
    }
    // Waiting guests may reconnect their socket (to hear that they were admitted), without ICE servers.
    const connection = await client.call<{ iceServers: unknown[] }>(
      'GET',
      `/meetings/${meeting.meetingId}/connection`,
      undefined,
      waiting.token,
    );
    expect(connection.status).toBe(200);
    expect(connection.body.iceServers).toEqual([]);
    const full = await client.call<{ participants?: unknown[] }>(
      'GET',
      `/meetings/${meeting.meetingId}`,
      undefined,
      waiting.token,
    );
    expect(full.body.participants).toBeUndefined();

    const asHost = await client.call(
      'GET',
      `/meetings/${meeting.meetingId}/participants`,
      undefined,
      host.token,
    );
    expect(asHost.status).toBe(200);
    const otherMeeting = await client.createMeeting();
    const wrongMeeting = await client.call<ErrorBody>(
      'GET',
      `/meetings/${otherMeeting.meetingId}/chat`,
      undefined,
      host.token,
    );
    expect(wrongMeeting.status).toBe(403);
    expect(wrongMeeting.body.error.code).toBe('CONFER_AUTH_WRONG_MEETING');
  });
});

describe('4. strange Unicode', () => {
  it('refuses lone surrogates and control characters with a coded error, and never fails another meeting’s writes', async () => {
    const innocent = await client.createMeeting({ title: 'Innocent' });
    const people = await Promise.all([1, 2, 3].map((i) => client.join(innocent.meetingId, `Person ${i}`)));
    const attacks: [string, string, unknown][] = [
      ['/meetings', 'title', { title: '\ud800' }],
      ['/meetings', 'title', { title: 'a\u0000b' }],
      ['/meetings', 'title', { title: 'evil\u202etxt' }],
      ['/meetings', 'title', { title: '   ' }],
      [`/meetings/${innocent.meetingId}/join`, 'displayName', { displayName: 'x\udfff' }],
      [`/meetings/${innocent.meetingId}/join`, 'displayName', { displayName: 'bell\u0007' }],
    ];
    const results = await Promise.all([
      ...attacks.map(async ([path, field, body]) => {
        // JSON.stringify keeps a lone surrogate as its escape: exactly what an attacker sends.
        const res = await client.call<ErrorBody>('POST', path, JSON.stringify(body));
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.code).toBe('CONFER_VALIDATION_FAILED');
        expect(res.body.error.field).toBe(field);
        return 'refused';
      }),
      ...people.map((p) =>
        client
          .call('GET', `/meetings/${innocent.meetingId}/participants`, undefined, p.token)
          .then((r) => r.status),
      ),
    ]);
    expect(results.filter((r) => r === 'refused')).toHaveLength(attacks.length);
    const roster = await client.call<{ participants: unknown[] }>(
      'GET',
      `/meetings/${innocent.meetingId}/participants`,
      undefined,
      people[0]!.token,
    );
    expect(roster.body.participants).toHaveLength(3);
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('5. the meeting page for anyone with the link', () => {
  it('shows a stranger the title and rules, never who is in it nor the host’s user id', async () => {
    const meeting = await client.createMeeting({
      title: 'Board',
      hostUserId: 'ceo@example.com',
      settings: { passcode: 'board-2026!', waitingRoom: true },
    });
    await client.join(meeting.meetingId, 'Host', { hostToken: meeting.hostToken });
    const res = await client.call<Record<string, unknown>>('GET', `/meetings/${meeting.meetingId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      meetingId: meeting.meetingId,
      title: 'Board',
      status: 'active',
      settings: { muteOnEntry: false, videoOffOnEntry: false, waitingRoom: true, passcodeRequired: true },
    });
    expect(JSON.stringify(res.body)).not.toContain('ceo@example.com');
  });
});

describe('7. security headers', () => {
  it('forbids framing, sniffing, referrers and other sites’ use of camera and microphone', async () => {
    for (const path of ['/', '/healthz', `/meetings/x-nonexistent-id`]) {
      const res = await fetch(`${server.url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('permissions-policy')).toContain('camera=(self)');
      expect(res.headers.get('permissions-policy')).toContain('microphone=(self)');
      expect(res.headers.get('permissions-policy')).toContain('display-capture=(self)');
    }
  });
});

describe('also: tokens, metrics and methods', () => {
  it('refuses a token without exp, and an expired one', async () => {
    const meeting = await client.createMeeting();
    const noExp = await sign({ role: 'host', mid: meeting.meetingId }, null);
    const res = await client.call<ErrorBody>('DELETE', `/meetings/${meeting.meetingId}`, undefined, noExp);
    expect(res.status).toBe(401);
    const expired = await sign({ role: 'host', mid: meeting.meetingId }, Math.floor(Date.now() / 1000) - 10);
    const res2 = await client.call<ErrorBody>('DELETE', `/meetings/${meeting.meetingId}`, undefined, expired);
    expect(res2.status).toBe(401);
    expect(res2.body.error.message).toMatch(/expired/);
  });

  it('serves /metrics to operators only', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const meeting = await client.createMeeting();
    expect((await client.call('GET', '/metrics', undefined, meeting.hostToken)).status).toBe(403);
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${await sign({ role: 'operator' })}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE');
  });

  it('answers TRACE and QUERY with 405', async () => {
    // fetch refuses to send TRACE itself: a raw request, as an attacker's tool sends it.
    for (const method of ['TRACE', 'QUERY']) {
      const res = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
        const req = request(`${server.url}/meetings`, { method }, (r) => {
          r.resume();
          resolve({ status: r.statusCode ?? 0, allow: r.headers['allow'] });
        });
        req.on('error', reject);
        req.end();
      });
      expect(res.status, method).toBe(405);
      expect(res.allow).toContain('GET');
    }
  });

  it('declares security and 429 in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    expect(doc.paths['/meetings/{meetingId}/chat']!['get']!.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/meetings/{meetingId}/join']!['post']!.responses['429']).toBeDefined();
  });
});
