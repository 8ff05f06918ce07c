import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../test/support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';

type ErrorBody = { error: { code: string; message: string; field?: string } };

let server: ConferProcess;
const operatorToken = () =>
  new SignJWT({ role: 'operator' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
let client: ReturnType<typeof api>;

beforeAll(async () => {
  server = await startConferProcess();
  client = api(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

describe('POST /meetings', () => {
  it('creates a meeting with an unguessable id, a join URL and a host token', async () => {
    const res = await client.call<{ meetingId: string; joinUrl: string; hostToken: string }>(
      'POST',
      '/meetings',
      {
        title: 'Design review',
        startTime: '2026-12-01T10:00:00Z',
        settings: { muteOnEntry: true, maxParticipants: 10 },
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.meetingId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(res.body.joinUrl).toBe(`${server.url}/m/${res.body.meetingId}`);
    expect(res.body.hostToken.split('.')).toHaveLength(3);
    const other = await client.createMeeting();
    expect(other.meetingId).not.toBe(res.body.meetingId);
  });

  it('refuses bad bodies with a coded error naming the field', async () => {
    const cases: [unknown, string | undefined][] = [
      [{ title: '' }, 'title'],
      [{ title: 'x'.repeat(201) }, 'title'],
      [{}, 'title'],
      [{ title: 'ok', colour: 'blue' }, 'colour'],
      [{ title: 'ok', settings: { maxParticipants: 1000 } }, 'settings.maxParticipants'],
      [{ title: 'ok', settings: { passcode: '12' } }, 'settings.passcode'],
      [{ title: 'ok', startTime: 'tomorrow' }, 'startTime'],
    ];
    for (const [body, field] of cases) {
      const res = await client.call<ErrorBody>('POST', '/meetings', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('CONFER_VALIDATION_FAILED');
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    const malformed = await client.call<ErrorBody>('POST', '/meetings', '{"title": oops');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('CONFER_VALIDATION_FAILED');
  });
});

describe('GET /meetings/{id} and join', () => {
  it('returns the seed shape with the joined participants', async () => {
    const { meetingId, hostToken } = await client.createMeeting({ title: 'Standup' });
    const host = await client.join(meetingId, 'Hana', { hostToken });
    expect(host.role).toBe('host');
    const ann = await client.join(meetingId, 'Ann');
    expect(ann.status).toBe('joined');
    expect(ann.role).toBe('participant');
    expect(ann.webSocketUrl).toBe(`${server.url}/meetings/${meetingId}`);
    expect(Array.isArray((ann as unknown as { iceServers: unknown[] }).iceServers)).toBe(true);

    const res = await client.call<{
      meetingId: string;
      title: string;
      status: string;
      host: { participantIds: string[] };
      participants: Record<string, unknown>[];
    }>('GET', `/meetings/${meetingId}`, undefined, ann.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      meetingId,
      title: 'Standup',
      status: 'active',
      host: { participantIds: [host.participantId] },
    });
    expect(res.body.participants.map((p) => p['displayName'])).toEqual(['Hana', 'Ann']);
    for (const p of res.body.participants) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'participantId',
          'displayName',
          'joinTime',
          'connectionStatus',
          'audioEnabled',
          'videoEnabled',
        ]),
      );
    }
  });

  it('applies mute on entry, waiting room, passcode and capacity', async () => {
    const muted = await client.createMeeting({ title: 'Muted', settings: { muteOnEntry: true } });
    const mutedAnn = await client.join(muted.meetingId, 'Ann');
    const m = await client.call<{ participants: { audioEnabled: boolean }[] }>(
      'GET',
      `/meetings/${muted.meetingId}`,
      undefined,
      mutedAnn.token,
    );
    expect(m.body.participants[0]!.audioEnabled).toBe(false);

    const lobby = await client.createMeeting({ title: 'Lobby', settings: { waitingRoom: true } });
    expect((await client.join(lobby.meetingId, 'Bob')).status).toBe('waiting');
    expect((await client.join(lobby.meetingId, 'Host', { hostToken: lobby.hostToken })).status).toBe(
      'joined',
    );

    const locked = await client.createMeeting({ title: 'Locked', settings: { passcode: 'open-sesame' } });
    const wrong = await client.call<ErrorBody>('POST', `/meetings/${locked.meetingId}/join`, {
      displayName: 'Eve',
      passcode: 'nope',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'CONFER_PASSCODE_INVALID', field: 'passcode' });
    expect((await client.join(locked.meetingId, 'Ann', { passcode: 'open-sesame' })).status).toBe('joined');
    const summary = await client.call<{ settings: Record<string, unknown> }>(
      'GET',
      `/meetings/${locked.meetingId}`,
    );
    expect(summary.body.settings['passcodeRequired']).toBe(true);
    expect(JSON.stringify(summary.body)).not.toContain('open-sesame');

    const small = await client.createMeeting({ title: 'Small', settings: { maxParticipants: 2 } });
    await client.join(small.meetingId, 'A');
    await client.join(small.meetingId, 'B');
    const full = await client.call<ErrorBody>('POST', `/meetings/${small.meetingId}/join`, {
      displayName: 'C',
    });
    expect(full.status).toBe(429);
    expect(full.body.error.code).toBe('CONFER_MEETING_FULL');
  });

  it('answers unknown meetings, bad ids and bad join bodies with coded errors', async () => {
    const missing = await client.call<ErrorBody>('GET', '/meetings/AAAAAAAAAAAAAAAAAAAAAA');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('CONFER_MEETING_NOT_FOUND');
    const badId = await client.call<ErrorBody>('GET', '/meetings/a$b');
    expect(badId.status).toBe(400);
    expect(badId.body.error.field).toBe('meetingId');
    const { meetingId } = await client.createMeeting();
    const noName = await client.call<ErrorBody>('POST', `/meetings/${meetingId}/join`, { userId: 'u1' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.field).toBe('displayName');
    const joinMissing = await client.call<ErrorBody>('POST', '/meetings/AAAAAAAAAAAAAAAAAAAAAA/join', {
      displayName: 'Z',
    });
    expect(joinMissing.status).toBe(404);
    const route = await client.call<ErrorBody>('GET', '/nope');
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe('CONFER_NOT_FOUND');
  });
});

describe('DELETE /meetings/{id} and tokens', () => {
  it('ends the meeting only with the host token; nobody joins afterwards', async () => {
    const { meetingId, hostToken } = await client.createMeeting();
    const ann = await client.join(meetingId, 'Ann');
    const noToken = await client.call<ErrorBody>('DELETE', `/meetings/${meetingId}`);
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.code).toBe('CONFER_AUTH_MISSING');
    const notHost = await client.call<ErrorBody>('DELETE', `/meetings/${meetingId}`, undefined, ann.token);
    expect(notHost.status).toBe(403);
    expect(notHost.body.error.code).toBe('CONFER_FORBIDDEN');
    const other = await client.createMeeting();
    const wrongMeeting = await client.call<ErrorBody>(
      'DELETE',
      `/meetings/${meetingId}`,
      undefined,
      other.hostToken,
    );
    expect(wrongMeeting.status).toBe(403);
    expect(wrongMeeting.body.error.code).toBe('CONFER_AUTH_WRONG_MEETING');
    const forged = await client.call<ErrorBody>(
      'DELETE',
      `/meetings/${meetingId}`,
      undefined,
      `${hostToken.slice(0, -4)}AAAA`,
    );
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('CONFER_AUTH_INVALID');
    const expiredToken = await new SignJWT({ role: 'host', mid: meetingId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
    const expired = await client.call<ErrorBody>('DELETE', `/meetings/${meetingId}`, undefined, expiredToken);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);

    const ended = await client.call<{ success: boolean }>(
      'DELETE',
      `/meetings/${meetingId}`,
      undefined,
      hostToken,
    );
    expect(ended).toEqual({ status: 200, body: { success: true } });
    const view = await client.call<{ status: string; participants?: unknown[] }>(
      'GET',
      `/meetings/${meetingId}`,
    );
    expect(view.body.status).toBe('ended');
    expect(view.body.participants).toBeUndefined();
    const late = await client.call<ErrorBody>('POST', `/meetings/${meetingId}/join`, { displayName: 'Late' });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('CONFER_MEETING_ENDED');
    const again = await client.call<{ success: boolean }>(
      'DELETE',
      `/meetings/${meetingId}`,
      undefined,
      hostToken,
    );
    expect(again.body.success).toBe(true);
  });
});

describe('listing, docs and metrics', () => {
  it('lists meetings newest first and pages with a cursor', async () => {
    const a = await client.createMeeting({ title: 'List A' });
    const b = await client.createMeeting({ title: 'List B' });
    const page = await client.call<{ meetings: { meetingId: string }[]; nextCursor: string | null }>(
      'GET',
      '/meetings?limit=1',
      undefined,
      await operatorToken(),
    );
    expect(page.body.meetings.map((m) => m.meetingId)).toEqual([b.meetingId]);
    const next = await client.call<{ meetings: { meetingId: string }[] }>(
      'GET',
      `/meetings?limit=1&cursor=${encodeURIComponent(page.body.nextCursor!)}`,
      undefined,
      await operatorToken(),
    );
    expect(next.body.meetings.map((m) => m.meetingId)).toEqual([a.meetingId]);
  });

  it('serves OpenAPI at /docs and Prometheus metrics', async () => {
    const doc = await client.call<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/meetings',
        '/meetings/{meetingId}',
        '/meetings/{meetingId}/join',
        '/meetings/{meetingId}/chat',
      ]),
    );
    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${await operatorToken()}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/confer_commands_total\{[^}]*type="CreateMeeting"[^}]*outcome="ok"[^}]*\} \d+/);
  });
});
