import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../auth/tokens';
import { api } from '../../test/support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';
import { AnalyticsRecordSchema, type AnalyticsRecord } from '../../pipelines/analytics/records';

type ErrorBody = { error: { code: string; message: string; field?: string } };
type Page = { records: Array<{ cursor: string; record: AnalyticsRecord }>; next: string };

let server: ConferProcess;
let client: ReturnType<typeof api>;
const tokens = createTokenService({ secret: TEST_AUTH_SECRET, participantTtlSeconds: 3600 });
const analyst = (meetingId?: string) =>
  tokens.issueCredential({ role: 'analyst', ttlSeconds: 600, ...(meetingId ? { meetingId } : {}) });

beforeAll(async () => {
  server = await startConferProcess();
  client = api(server.url);
});
afterAll(async () => {
  await server?.dispose();
});

/** Reads pages (long polling) until `done` holds for what was read after `after`. */
async function readUntil(token: string, query: string, done: (records: AnalyticsRecord[]) => boolean) {
  const records: Array<{ cursor: string; record: AnalyticsRecord }> = [];
  let after = '';
  const deadline = Date.now() + 20_000;
  while (!done(records.map((r) => r.record))) {
    if (Date.now() > deadline)
      throw new Error(`records did not arrive: ${JSON.stringify(records.map((r) => r.record.type))}`);
    const res = await client.call<Page>(
      'GET',
      `/analytics/events?wait=2&limit=50${query}${after ? `&after=${after}` : ''}`,
      undefined,
      token,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    records.push(...res.body.records);
    after = res.body.next;
  }
  return { records, next: after };
}

async function meetingWithTwo() {
  const meeting = await client.createMeeting();
  const host = await client.join(meeting.meetingId, 'Ann', { hostToken: meeting.hostToken });
  const guest = await client.join(meeting.meetingId, 'Bob');
  return { ...meeting, host, guest };
}

describe('GET /analytics/events', () => {
  it('refuses a caller without a token (401) and a participant or host (403), with a coded error', async () => {
    const { meetingId, hostToken, guest } = await meetingWithTwo();
    const none = await client.call<ErrorBody>('GET', '/analytics/events');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('CONFER_AUTH_MISSING');
    for (const token of [guest.token, hostToken]) {
      const res = await client.call<ErrorBody>('GET', '/analytics/events', undefined, token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('CONFER_FORBIDDEN');
      const scoped = await client.call<ErrorBody>(
        'GET',
        `/analytics/events?meeting=${meetingId}`,
        undefined,
        token,
      );
      expect(scoped.status).toBe(403);
    }
    const bad = await client.call<ErrorBody>(
      'GET',
      '/analytics/events?after=abc',
      undefined,
      await analyst(),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('after');
  });

  it('gives an analyst well-formed records, and exactly what followed a cursor', async () => {
    const token = await analyst();
    const { meetingId, hostToken } = await meetingWithTwo();
    const first = await readUntil(
      token,
      `&meeting=${meetingId}`,
      (rs) => rs.filter((r) => r.type === 'confer.participant.joined.v1').length === 2,
    );
    for (const { record } of first.records) expect(AnalyticsRecordSchema.parse(record)).toEqual(record);
    expect(first.records.map((r) => r.record.sequence)).toEqual(first.records.map((_, i) => i + 1));

    const ended = await client.call('DELETE', `/meetings/${meetingId}`, undefined, hostToken);
    expect(ended.status).toBeLessThan(300);
    const res = await client.call<Page>(
      'GET',
      `/analytics/events?meeting=${meetingId}&after=${first.next}&wait=10`,
      undefined,
      token,
    );
    expect(res.body.records[0]?.record).toMatchObject({
      type: 'confer.participant.left.v1',
      sequence: first.records.length + 1,
    });

    // The global log has the same records, under its own cursor.
    const all = await readUntil(token, '', (rs) =>
      rs.some((r) => r.subject === meetingId && r.type === 'confer.participant.left.v1'),
    );
    const mine = all.records.map((r) => r.record).filter((r) => r.subject === meetingId);
    expect(mine.map((r) => r.sequence)).toEqual(mine.map((_, i) => i + 1));
  });

  it('shows an analyst scoped to one meeting that meeting only', async () => {
    const a = await meetingWithTwo();
    const b = await meetingWithTwo();
    const token = await analyst(a.meetingId);
    const seen = await readUntil(token, '', (rs) =>
      rs.some((r) => r.type === 'confer.participant.joined.v1'),
    );
    expect(new Set(seen.records.map((r) => r.record.subject))).toEqual(new Set([a.meetingId]));
    const other = await client.call<ErrorBody>(
      'GET',
      `/analytics/events?meeting=${b.meetingId}`,
      undefined,
      token,
    );
    expect(other.status).toBe(403);
  });
});

describe('GET /analytics/stream', () => {
  it('streams records as server-sent events whose ids are cursors', async () => {
    const { meetingId } = await meetingWithTwo();
    const controller = new AbortController();
    const res = await fetch(`${server.url}/analytics/stream?meeting=${meetingId}`, {
      headers: { authorization: `Bearer ${await analyst()}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 15_000;
    while ((text.match(/event: record/g) ?? []).length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    const events = text.split('\n\n').filter((block) => block.includes('event: record'));
    expect(events.length).toBeGreaterThanOrEqual(3);
    const parsed = events.map((block) => ({
      id: /^id: (\d+)$/m.exec(block)![1],
      record: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as AnalyticsRecord,
    }));
    expect(parsed[0]!.record).toMatchObject({
      type: 'confer.meeting.started.v1',
      sequence: 1,
      subject: meetingId,
    });
    expect(parsed.map((p) => Number(p.id))).toEqual(parsed.map((p) => p.record.sequence));
  });
});

describe('POST /meetings/{id}/analytics/reports', () => {
  it('records a participant’s quality report clamped, refuses a second in the same window and bad figures', async () => {
    const { meetingId, guest, hostToken } = await meetingWithTwo();
    const path = `/meetings/${meetingId}/analytics/reports`;
    const bad = await client.call<ErrorBody>('POST', path, { kind: 'quality', rttMs: 'fast' }, guest.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('rttMs');
    const extra = await client.call<ErrorBody>('POST', path, { kind: 'quality', colour: 1 }, guest.token);
    expect(extra.status).toBe(400);
    expect((await client.call<ErrorBody>('POST', path, { kind: 'quality' })).status).toBe(401);
    expect((await client.call<ErrorBody>('POST', path, { kind: 'quality' }, hostToken)).status).toBe(403);

    const absurd = {
      kind: 'quality',
      rttMs: 1e9,
      lossPct: -4,
      jitterMs: 12.34,
      sentKbps: 900,
      receivedKbps: 1500,
    };
    const ok = await client.call('POST', path, absurd, guest.token);
    if (ok.status === 429) return; // the window turned between two requests: nothing to learn here
    expect(ok.status).toBe(202);
    const again = await client.call<ErrorBody>('POST', path, absurd, guest.token);
    expect(again.status).toBe(429);
    expect(again.body.error.code).toBe('CONFER_RATE_LIMITED');

    const seen = await readUntil(await analyst(), `&meeting=${meetingId}`, (rs) =>
      rs.some((r) => r.type === 'confer.quality.sample.v1'),
    );
    const sample = seen.records.map((r) => r.record).find((r) => r.type === 'confer.quality.sample.v1')!;
    expect(sample.data).toMatchObject({
      participantId: guest.participantId,
      origin: 'client',
      rttMs: 10_000,
      lossPct: 0,
      jitterMs: 12.3,
      clamped: true,
      mos: 1,
    });
    expect(AnalyticsRecordSchema.parse(sample)).toEqual(sample);
  });
});

describe('join failures', () => {
  it('are records of the meeting, with their error code', async () => {
    const meeting = await client.createMeeting({ title: 'Locked', settings: { passcode: 'open-sesame' } });
    const refused = await client.call<ErrorBody>('POST', `/meetings/${meeting.meetingId}/join`, {
      displayName: 'Eve',
      passcode: 'wrong-guess',
    });
    expect(refused.status).toBe(403);
    const seen = await readUntil(await analyst(), `&meeting=${meeting.meetingId}`, (rs) =>
      rs.some((r) => r.type === 'confer.join.failed.v1'),
    );
    const failure = seen.records.map((r) => r.record).find((r) => r.type === 'confer.join.failed.v1')!;
    expect(failure.data).toEqual({ code: refused.body.error.code });
  });
});

describe('GET /metrics', () => {
  it('exports the monitoring figures: meetings and participants, joins, quality distributions', async () => {
    const { meetingId, guest } = await meetingWithTwo();
    const failed = await client.call('POST', `/meetings/${meetingId}/join`, { displayName: '' });
    expect(failed.status).toBe(400);
    const report = await client.call(
      'POST',
      `/meetings/${meetingId}/analytics/reports`,
      { kind: 'first-frame', ms: 850 },
      guest.token,
    );
    expect(report.status).toBe(202);
    const quality = await client.call(
      'POST',
      `/meetings/${meetingId}/analytics/reports`,
      { kind: 'quality', rttMs: 30 },
      guest.token,
    );
    expect(quality.status).toBe(202);
    const operator = await tokens.issueCredential({ role: 'operator', ttlSeconds: 600 });
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${operator}` } });
    const text = await res.text();
    expect(text).toMatch(/^confer_meetings_active\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^confer_participants_active\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^confer_join_attempts_total\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^confer_time_to_first_frame_seconds_count\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^confer_rtt_seconds_bucket\{[^}]*origin="client"[^}]*\} [1-9]/m);
    expect(text).toContain('# TYPE confer_packet_loss_ratio histogram');
    expect(text).toContain('# TYPE confer_jitter_seconds histogram');
  });
});

describe('schemas and insights', () => {
  it('serves a JSON Schema for every record type', async () => {
    const index = await client.call<{ types: Array<{ type: string; schema: string }> }>(
      'GET',
      '/docs/analytics',
    );
    expect(index.status).toBe(200);
    expect(index.body.types.map((t) => t.type)).toContain('confer.participant.left.v1');
    for (const { schema } of index.body.types) {
      const res = await client.call<{ type: string; properties: Record<string, unknown> }>('GET', schema);
      expect(res.status, schema).toBe(200);
      expect(Object.keys(res.body.properties)).toEqual(
        expect.arrayContaining(['id', 'sequence', 'data', 'type']),
      );
    }
    expect((await client.call('GET', '/docs/analytics/confer.nope.v1.json')).status).toBe(404);
  });

  it('gives the host and an analyst the meeting’s insights, and a participant a 403', async () => {
    const { meetingId, hostToken, guest } = await meetingWithTwo();
    await readUntil(
      await analyst(),
      `&meeting=${meetingId}`,
      (rs) => rs.filter((r) => r.type === 'confer.participant.joined.v1').length === 2,
    );
    const path = `/meetings/${meetingId}/insights`;
    for (const token of [hostToken, await analyst(meetingId)]) {
      const res = await client.call<{ peakParticipants: number; participantsOverTime: unknown[] }>(
        'GET',
        path,
        undefined,
        token,
      );
      expect(res.status).toBe(200);
      expect(res.body.peakParticipants).toBe(2);
      expect(res.body.participantsOverTime.length).toBeGreaterThanOrEqual(3);
    }
    expect((await client.call('GET', path, undefined, guest.token)).status).toBe(403);
    expect((await client.call('GET', path)).status).toBe(401);
  });
});

describe('npx confer analytics tail', () => {
  const tail = async (args: string[], env: Record<string, string> = {}) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/confer.mjs', 'analytics', 'tail', '--no-follow', ...args],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          DATA_DIR: server.dataDir,
          AUTH_SECRET: TEST_AUTH_SECRET,
          ...env,
        },
        timeout: 60_000,
      },
    );
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AnalyticsRecord & { cursor?: string; record?: AnalyticsRecord });
  };

  it('prints a meeting’s records as JSON lines, from the store or from the API, and resumes after a cursor', async () => {
    const { meetingId } = await meetingWithTwo();
    const seen = await readUntil(
      await analyst(),
      `&meeting=${meetingId}`,
      (rs) => rs.filter((r) => r.type === 'confer.participant.joined.v1').length === 2,
    );
    const expected = seen.records.map((r) => r.record);
    expect(await tail(['--meeting', meetingId])).toEqual(expected);
    expect(await tail(['--meeting', meetingId, '--from', '2'])).toEqual(expected.slice(2));
    const viaApi = await tail(['--meeting', meetingId, '--url', server.url], {
      CONFER_TOKEN: await analyst(meetingId),
    });
    expect(viaApi).toEqual(expected);
  }, 120_000);
});
