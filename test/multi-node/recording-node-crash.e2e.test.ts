import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingPrefix } from '../../domain/meeting/recording.keys';
import { joinAs, openMeetingPage } from '../../web/e2e/page-helpers';
import { expectUsable } from '../../web/e2e/usability';
import { ensureWebClientBuilt } from '../../web/e2e/web-build';
import { launchBrowser } from '../support/browser';
import { s3ObjectStore, startS3, type S3Server } from '../support/recording-rig';
import { conferS3Env } from '../support/s3-server';
import { ffprobeJson } from '../support/recording-world';
import { api, eventually, startCluster, storedEvents, type Cluster } from './cluster';

/**
 * The node recording a meeting dies (SIGKILL) mid-recording (issue 12, "Nothing is lost"): the
 * segments it already stored stay in the object store (S3Proxy, shared by both nodes); the person
 * comes back through the other node, which records them from then on; the file made after the
 * stop covers the whole recording, says where nothing was recorded, and the recording ends
 * available, not left "recording".
 */
let cluster: Cluster;
let browser: Browser;
let s3: S3Server;
let dir: string;
const url = (id: string) => cluster.node(id).url;

beforeAll(async () => {
  ensureWebClientBuilt();
  dir = mkdtempSync(join(tmpdir(), 'confer-recording-crash-'));
  s3 = await startS3();
  [cluster, browser] = await Promise.all([
    startCluster({
      name: 'recording_crash',
      env: {
        MEDIA: 'true',
        MEDIA_WORKERS: '1',
        MEDIA_LISTEN_IP: '127.0.0.1',
        RECONNECT_GRACE_SECONDS: '60',
        LOG_LEVEL: 'info',
        ...conferS3Env(s3),
        ...(process.env['MEDIASOUP_WORKER_BIN']
          ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
          : {}),
      },
      nodeEnv: (id) =>
        id === 'a'
          ? { MEDIA_RTC_MIN_PORT: '43000', MEDIA_RTC_MAX_PORT: '43999' }
          : { MEDIA_RTC_MIN_PORT: '44000', MEDIA_RTC_MAX_PORT: '44999' },
    }),
    launchBrowser(),
  ]);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const host = (token: string) => ({ authorization: `Bearer ${token}` });

describe('a recording whose node dies', () => {
  it('keeps what was stored, resumes on the node the meeting moves to, and marks the gap in the file', async () => {
    const meeting = await api(url('b')).createMeeting({ title: 'Resilient' });
    const { meetingId, hostToken } = meeting;
    // The host's first join goes through node a: the meeting's media is placed there.
    await api(url('a')).join(meetingId, 'Hana', { hostToken });
    // Ann's page comes from node b (it stays up), her media goes to the meeting's node, a.
    const { page } = await openMeetingPage(browser, { width: 960, height: 640 });
    await page.goto(`${url('b')}/m/${meetingId}`);
    const annId = await joinAs(page, 'Ann');
    const events = () => storedEvents(cluster.postgres.url, meetingId);
    const publishedOn = (node: string, who?: string) => async () =>
      (await events()).filter(
        (e) =>
          e.type === 'MediaPublished' &&
          (who === undefined || e.data['participantId'] === who) &&
          e.data['nodeId'] === node,
      ).length >= 2;
    expect((await events()).find((e) => e.type === 'MediaNodeAssigned')?.data['nodeId']).toBe('a');
    await eventually('Ann publishing on node a', publishedOn('a', annId), { timeoutMs: 30_000 });

    const started = await fetch(`${url('b')}/meetings/${meetingId}/recordings`, {
      method: 'POST',
      headers: host(hostToken),
    });
    const startAnswered = Date.now();
    expect(started.status).toBe(201);
    const { recordingId } = (await started.json()) as { recordingId: string };
    const segments = async () =>
      (await events()).filter((e) => e.type === 'RecordingSegmentStored').map((e) => e.data);
    await eventually('segments stored by node a', async () => (await segments()).length >= 4, {
      timeoutMs: 40_000,
    });
    const before = await segments();

    await cluster.node('a').kill();
    const killedAfterSeconds = (Date.now() - startAnswered) / 1000;
    // Ann does nothing: her page sees its socket fail, asks its own server (node b) where the
    // meeting is now, and comes back through b once b has seen a's heartbeat lapse (6 s).
    const connection = () => page.evaluate(() => window.__confer?.state()['connection']);
    await eventually('Ann told she is reconnecting', async () => (await connection()) === 'reconnecting', {
      timeoutMs: 10_000,
    });
    await expectUsable(
      page.getByRole('alert').filter({ hasText: 'Connection lost' }),
      'the reconnecting notice',
    );
    await eventually(
      'Ann back in the meeting through node b',
      async () => (await connection()) === 'online',
      { timeoutMs: 60_000 },
    );
    await eventually('Ann back, publishing on node b', publishedOn('b'), { timeoutMs: 90_000 });
    const tracksBefore = new Set(before.map((s) => s['trackId']));
    await eventually(
      'segments of new tracks, recorded by node b',
      async () => (await segments()).some((s) => !tracksBefore.has(s['trackId'])),
      { timeoutMs: 60_000 },
    );
    await page.waitForTimeout(5000);
    const stopped = await fetch(`${url('b')}/meetings/${meetingId}/recordings/${recordingId}/stop`, {
      method: 'POST',
      headers: host(hostToken),
    });
    expect(stopped.status).toBe(200);

    const list = async () => {
      const res = await fetch(`${url('b')}/meetings/${meetingId}/recordings`, { headers: host(hostToken) });
      return (
        (await res.json()) as {
          recordings: Array<{ status: string; startedAt: string; stoppedAt: string; downloadUrl: string }>;
        }
      ).recordings[0]!;
    };
    await eventually('the recording to be available', async () => (await list()).status === 'available', {
      timeoutMs: 240_000,
      intervalMs: 1000,
    });
    const recording = await list();

    // What node a stored before it died is all still there.
    const objects = s3ObjectStore(s3);
    const keys = new Set(
      (await objects.list(`${recordingPrefix(meetingId, recordingId)}tracks/`)).map((o) => o.key),
    );
    await objects.close();
    for (const s of before) expect(keys.has(s['key'] as string), String(s['key'])).toBe(true);

    const path = join(dir, 'resilient.mp4');
    writeFileSync(path, Buffer.from(await (await fetch(recording.downloadUrl)).arrayBuffer()));
    const probe = ffprobeJson(path);
    const wall = (Date.parse(recording.stoppedAt) - Date.parse(recording.startedAt)) / 1000;
    expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);
    const titles = probe.chapters.map((c) => c.tags?.title ?? '');
    // What the composer placed where (node b composed it), for a failure to explain itself.
    const placed = readFileSync(join(cluster.node('b').dataDir, 'confer.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"track aligned"') || line.includes('"gaps in the recording"'))
      .map((line) => {
        const { kind, offsetSeconds, endSeconds, segments, method, leadMs, gaps } = JSON.parse(
          line,
        ) as Record<string, unknown>;
        return JSON.stringify({ kind, offsetSeconds, endSeconds, segments, method, leadMs, gaps });
      });
    expect(
      titles.some((t) => t.startsWith('Nothing recorded for')),
      `chapters: ${titles.join(' | ')}; node a killed ${killedAfterSeconds.toFixed(1)} s into the recording, ` +
        `${before.length} segments stored by then; placed: ${placed.join('; ')}`,
    ).toBe(true);
    expect(titles).toContain('Recording resumed');
  }, 600_000);
});
