import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateAt } from '../../pipelines/audit/state-view';
import { api, connect, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { eventually } from '../../test/support/eventually';

/**
 * The audit slice end to end on the real server (SQLite, in-process bus): a scripted meeting,
 * its replay at several instants against what the live read models showed then, the auditors'
 * routes and their refusals, export verified offline by the CLI as a separate process, and
 * tampering with the SQLite file (plain, and with every later hash recomputed).
 */
const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');

type ErrorBody = { error: { code: string; message: string; field?: string } };
type LiveParticipant = {
  participantId: string;
  displayName: string;
  role: string;
  status: string;
  connectionStatus: string;
  audioEnabled: boolean;
  videoEnabled: boolean;
  screenSharing: boolean;
  handRaised: boolean;
};
type LiveChat = { messages: { messageId: string; message: string }[] };
interface Snapshot {
  at: string;
  participants: LiveParticipant[];
  chat: LiveChat['messages'];
}

let server: ConferProcess;
let client: ReturnType<typeof api>;
let meetingId: string;
let hostToken: string;
let auditor: string;
let participantTokens: string[] = [];
const snapshots: Snapshot[] = [];
const sockets: ClientSocket[] = [];

async function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['bin/confer.mjs', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...server.env, ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      stdout: e.stdout,
      stderr: e.stderr,
    }),
  );
}

/** What the live read models show now, once they show `ready`; the instant is taken after. */
async function snapshot(ready: (s: Omit<Snapshot, 'at'>) => boolean): Promise<void> {
  const seen = await eventually('the live read models', async () => {
    const participants = await client.call<{ participants: LiveParticipant[] }>(
      'GET',
      `/meetings/${meetingId}/participants`,
      undefined,
      hostToken,
    );
    const chat = await client.call<LiveChat>('GET', `/meetings/${meetingId}/chat`, undefined, hostToken);
    const s = { participants: participants.body.participants, chat: chat.body.messages };
    return ready(s) && s;
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  snapshots.push({ ...seen, at: new Date().toISOString() });
  await new Promise((resolve) => setTimeout(resolve, 20));
}

const byId = (name: string) => (s: Omit<Snapshot, 'at'>) =>
  s.participants.find((p) => p.displayName === name);

beforeAll(async () => {
  server = await startConferProcess({ AUDIT_CHECKPOINT_SECONDS: '1' });
  client = api(server.url);
  const created = await client.createMeeting({ title: 'Audit board', settings: { waitingRoom: true } });
  meetingId = created.meetingId;
  hostToken = created.hostToken;
  auditor = (await cli(['token', 'create', '--role', 'auditor', '--meeting', meetingId])).stdout.trim();

  // 1. Ada (host) joins and connects.
  const ada = await client.join(meetingId, 'Ada', { hostToken });
  const adaSocket = await connect(ada);
  sockets.push(adaSocket);
  await request(adaSocket, 'join', {});
  await snapshot((s) => byId('Ada')(s)?.connectionStatus === 'connected');
  // 2. Bo knocks and waits.
  const bo = await client.join(meetingId, 'Bo');
  participantTokens = [ada.token, bo.token];
  const boSocket = await connect(bo);
  sockets.push(boSocket);
  await request(boSocket, 'join', {});
  // Bo's socket join (answered above) recorded his connection: the read model must show it too.
  await snapshot(
    (s) => byId('Bo')(s)?.status === 'waiting' && byId('Bo')(s)?.connectionStatus === 'connected',
  );
  // 3. Ada admits Bo; Bo says hello; Ada raises a hand and mutes herself.
  expect(await request(adaSocket, 'admit', { participantId: bo.participantId })).toMatchObject({ ok: true });
  await eventually('Bo admitted', async () => byId('Bo')(await liveState())?.status === 'joined');
  expect(await request(boSocket, 'chat', { message: 'hello, auditors' })).toMatchObject({ ok: true });
  expect(await request(adaSocket, 'raise-hand', {})).toMatchObject({ ok: true });
  expect(await request(adaSocket, 'mute', { mediaType: 'audio' })).toMatchObject({ ok: true });
  await snapshot(
    (s) =>
      s.chat.length === 1 && byId('Ada')(s)?.handRaised === true && byId('Ada')(s)?.audioEnabled === false,
  );
  // 4. Ada removes Bo.
  expect(await request(adaSocket, 'remove-participant', { participantId: bo.participantId })).toMatchObject({
    ok: true,
  });
  await snapshot((s) => byId('Bo')(s)?.status === 'removed');
  // 5. The meeting ends; its head gets signed.
  expect((await client.call('DELETE', `/meetings/${meetingId}`, undefined, hostToken)).status).toBe(200);
  await eventually('a signed checkpoint of the ended meeting', async () => {
    const v = await client.call<{
      checkpoints: { verified: number; latest: { revision: number } | null };
      head: { revision: number };
    }>('GET', `/meetings/${meetingId}/audit/verify`, undefined, auditor);
    return (v.body.checkpoints.latest?.revision ?? -1) >= v.body.head.revision - 1 && v.body;
  });
}, 120_000);

async function liveState() {
  const participants = await client.call<{ participants: LiveParticipant[] }>(
    'GET',
    `/meetings/${meetingId}/participants`,
    undefined,
    hostToken,
  );
  return { participants: participants.body.participants, chat: [] };
}

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.dispose();
});

describe('state at an instant', () => {
  it('equals, at each scripted instant, what the live read models showed then', async () => {
    expect(snapshots).toHaveLength(4);
    for (const snap of snapshots) {
      const res = await client.call<StateAt>(
        'GET',
        `/meetings/${meetingId}/state?at=${encodeURIComponent(snap.at)}`,
        undefined,
        auditor,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const replayed = [...res.body.roster, ...res.body.waitingRoom, ...res.body.departed].map((p) => ({
        participantId: p.participantId,
        displayName: p.displayName,
        role: p.role,
        status: p.status,
        connectionStatus: p.connection.status,
        audioEnabled: p.media.audio,
        videoEnabled: p.media.video,
        screenSharing: p.media.screen,
        handRaised: p.handRaised,
      }));
      const live = snap.participants.map((p) => ({
        participantId: p.participantId,
        displayName: p.displayName,
        role: p.role,
        status: p.status,
        connectionStatus: p.connectionStatus,
        audioEnabled: p.audioEnabled,
        videoEnabled: p.videoEnabled,
        screenSharing: p.screenSharing,
        handRaised: p.handRaised,
      }));
      const sort = (a: { participantId: string }, b: { participantId: string }) =>
        a.participantId.localeCompare(b.participantId);
      expect(replayed.sort(sort), snap.at).toEqual(live.sort(sort));
      expect(res.body.chat.count).toBe(snap.chat.length);
      expect(res.body.chat.recent.map((m) => m.content)).toEqual(snap.chat.map((m) => m.message).reverse());
    }
  });

  it('answers bad instants with coded errors naming `at`', async () => {
    const cases: [string, number, string][] = [
      ['yesterday', 400, 'CONFER_AUDIT_INSTANT_INVALID'],
      ['2000-01-01T00:00:00Z', 422, 'CONFER_AUDIT_BEFORE_CREATION'],
      ['2999-01-01T00:00:00Z', 422, 'CONFER_AUDIT_AFTER_END'],
      ['99999', 422, 'CONFER_AUDIT_BEYOND_HEAD'],
    ];
    for (const [at, status, code] of cases) {
      const res = await client.call<ErrorBody>(
        'GET',
        `/meetings/${meetingId}/state?at=${at}`,
        undefined,
        auditor,
      );
      expect(res.status, at).toBe(status);
      expect(res.body.error).toMatchObject({ code, field: 'at' });
    }
    const everywhere = (await cli(['token', 'create', '--role', 'auditor'])).stdout.trim();
    const unknown = await client.call<ErrorBody>(
      'GET',
      '/meetings/nosuchmeeting/state',
      undefined,
      everywhere,
    );
    expect(unknown.body.error.code).toBe('CONFER_MEETING_NOT_FOUND');
  });
});

describe('who may read audits', () => {
  it('refuses no token (401), hosts, participants and other meetings’ auditors (403)', async () => {
    const other = await client.createMeeting();
    const elsewhere = (
      await cli(['token', 'create', '--role', 'auditor', '--meeting', other.meetingId])
    ).stdout.trim();
    const analyst = (await cli(['token', 'create', '--role', 'analyst'])).stdout.trim();
    for (const path of ['state', 'audit/timeline', 'audit/verify', 'audit/export']) {
      const url = `/meetings/${meetingId}/${path}`;
      expect((await client.call<ErrorBody>('GET', url)).status, path).toBe(401);
      for (const token of [hostToken, ...participantTokens, analyst]) {
        const res = await client.call<ErrorBody>('GET', url, undefined, token);
        expect(res.status, path).toBe(403);
        expect(res.body.error.code).toBe('CONFER_FORBIDDEN');
      }
      const res = await client.call<ErrorBody>('GET', url, undefined, elsewhere);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code).toBe('CONFER_AUTH_WRONG_MEETING');
    }
    const everywhere = (await cli(['token', 'create', '--role', 'auditor'])).stdout.trim();
    expect(
      (await client.call('GET', `/meetings/${meetingId}/audit/verify`, undefined, everywhere)).status,
    ).toBe(200);
    const key = await client.call<{ keys: { kty: string; crv: string }[] }>(
      'GET',
      '/.well-known/confer-audit-key',
    );
    expect(key.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });
});

describe('timeline', () => {
  it('pages through who did what to whom', async () => {
    const first = await client.call<{
      entries: { summary: string; revision: number }[];
      next: number | null;
    }>('GET', `/meetings/${meetingId}/audit/timeline?limit=3`, undefined, auditor);
    expect(first.body.entries.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(first.body.next).toBe(2);
    const all = await client.call<{ entries: { summary: string }[] }>(
      'GET',
      `/meetings/${meetingId}/audit/timeline?limit=1000`,
      undefined,
      auditor,
    );
    const summaries = all.body.entries.map((e) => e.summary);
    expect(summaries).toContain('Ada admitted Bo');
    expect(summaries).toContain('Ada removed Bo');
    expect(summaries.some((s) => s.startsWith('checkpoint signed over revisions 0–'))).toBe(true);
  });
});

describe('the CLI and the API description', () => {
  it('replays to an instant and steps through the history with --follow', async () => {
    const text = await cli(['audit', 'replay', meetingId, '--at', snapshots[1]!.at]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/waiting \(1\):\n {2}Bo/);
    const followed = await cli(['audit', 'replay', meetingId, '--follow', '--json']);
    expect(followed.code, followed.stderr).toBe(0);
    const steps = followed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { entry: { revision: number }; state: StateAt });
    expect(steps.map((s) => s.entry.revision)).toEqual(steps.map((_, i) => i));
    expect(steps.at(-1)!.state.status).toBe('ended');
    const bad = await cli(['audit', 'replay', meetingId, '--at', 'noon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('CONFER_AUDIT_INSTANT_INVALID');
    for (const command of [
      ['audit', 'replay'],
      ['audit', 'verify'],
    ]) {
      const help = await cli([...command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--json');
    }
  });

  it('describes every audit route in OpenAPI with its bearer security', async () => {
    const doc = await client.call<{ paths: Record<string, { get?: { security?: unknown[] } }> }>(
      'GET',
      '/docs/json',
    );
    for (const path of ['state', 'audit/timeline', 'audit/verify', 'audit/export'])
      expect(doc.body.paths[`/meetings/{meetingId}/${path}`]?.get?.security, path).toEqual([{ bearer: [] }]);
  });
});

describe('verification, export and tampering', () => {
  it('an export verifies offline with the CLI; a truncated one or another key does not', async () => {
    const exported = await fetch(`${server.url}/meetings/${meetingId}/audit/export`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await exported.text();
    const file = join(server.dataDir, 'export.ndjson');
    writeFileSync(file, text);
    const jwk = await (await fetch(`${server.url}/.well-known/confer-audit-key`)).text();
    const keyFile = join(server.dataDir, 'audit-key.jwk');
    writeFileSync(keyFile, jwk);

    const offline = await cli(['audit', 'verify', '--file', file, '--public-key', keyFile, '--json'], {
      EVENT_STORE: 'postgres', // proves the store is not read: this would fail without EVENT_STORE_URL
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({
      intact: true,
      checkpoints: { verified: expect.any(Number) },
    });
    expect(JSON.parse(offline.stdout).checkpoints.verified).toBeGreaterThan(0);

    const truncated = join(server.dataDir, 'truncated.ndjson');
    writeFileSync(truncated, text.split('\n').slice(0, 4).join('\n'));
    const cut = await cli(['audit', 'verify', '--file', truncated, '--public-key', keyFile]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain('CONFER_AUDIT_EXPORT_INVALID');

    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = join(server.dataDir, 'other.pem');
    writeFileSync(
      otherKey,
      generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    );
    const wrongKey = await cli(['audit', 'verify', '--file', file, '--public-key', otherKey, '--json']);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout)).toMatchObject({ intact: false, reason: 'signature-invalid' });
  });

  it('a plain edit of the SQLite file fails at that event; an edit with every later hash recomputed fails at the checkpoint', async () => {
    const before = await cli(['audit', 'verify', meetingId, '--json']);
    expect(JSON.parse(before.stdout)).toMatchObject({ intact: true });
    const signedRevisions = (
      await client.call<{ entries: { summary: string }[] }>(
        'GET',
        `/meetings/${meetingId}/audit/timeline?limit=1000`,
        undefined,
        auditor,
      )
    ).body.entries
      .map((e) => /^checkpoint signed over revisions 0–(\d+)/.exec(e.summary)?.[1])
      .filter((r): r is string => r !== undefined)
      .map(Number);
    await server.stop();
    const db = new Database(join(server.dataDir, 'events.db'));
    const streamId = `meeting-${meetingId}`;
    const chat = db
      .prepare<[string], { stream_revision: number; data: string }>(
        "SELECT stream_revision, data FROM events WHERE stream_id = ? AND type = 'ChatMessageSent'",
      )
      .get(streamId)!;
    const original = chat.data;
    const forged = original.replace('hello, auditors', 'I resign');
    db.prepare('UPDATE events SET data = ? WHERE stream_id = ? AND stream_revision = ?').run(
      forged,
      streamId,
      chat.stream_revision,
    );
    db.close();

    const plain = await cli(['audit', 'verify', meetingId, '--json']);
    expect(plain.code).toBe(1);
    expect(JSON.parse(plain.stdout)).toMatchObject({
      intact: false,
      brokenAt: chat.stream_revision,
      reason: 'hash-mismatch',
    });

    // The forger recomputes every hash from the edit on, with the store's own definition.
    const { eventHash } = await import('../../infra/event-store/hash-chain');
    const rw = new Database(join(server.dataDir, 'events.db'));
    const rows = rw
      .prepare<[string, number], Record<string, string | number>>(
        'SELECT * FROM events WHERE stream_id = ? AND stream_revision >= ? ORDER BY stream_revision',
      )
      .all(streamId, chat.stream_revision);
    let prev = String(
      rw
        .prepare<[string, number], { hash: string }>(
          'SELECT hash FROM events WHERE stream_id = ? AND stream_revision = ?',
        )
        .get(streamId, chat.stream_revision - 1)!.hash,
    );
    for (const row of rows) {
      const hash = eventHash({
        eventId: String(row['event_id']),
        type: String(row['type']),
        schemaVersion: Number(row['schema_version']),
        streamId,
        meetingId,
        streamRevision: Number(row['stream_revision']),
        occurredAt: String(row['occurred_at']),
        actor: JSON.parse(String(row['actor'])),
        correlationId: String(row['correlation_id']),
        causationId: String(row['causation_id']),
        data: JSON.parse(String(row['data'])),
        prevHash: prev,
      });
      rw.prepare('UPDATE events SET prev_hash = ?, hash = ? WHERE global_position = ?').run(
        prev,
        hash,
        row['global_position'],
      );
      prev = hash;
    }
    rw.close();

    const rewritten = await cli(['audit', 'verify', meetingId, '--json']);
    expect(rewritten.code).toBe(1);
    const verdict = JSON.parse(rewritten.stdout);
    expect(verdict.reason).toBe('checkpoint-mismatch');
    // The first checkpoint signed at or after the edited revision (a periodic one may cover it exactly).
    expect(verdict.brokenAt).toBeGreaterThanOrEqual(chat.stream_revision);
    expect(verdict.brokenAt).toBe(Math.min(...signedRevisions.filter((r) => r >= chat.stream_revision)));

    const replay = await cli(['audit', 'replay', meetingId, '--at', String(chat.stream_revision), '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout).chat.recent[0].content).toBe('I resign');
  });
});
