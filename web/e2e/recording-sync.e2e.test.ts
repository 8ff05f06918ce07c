import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFlashBeepFiles, fakeDeviceFileFlags } from '../../test/support/av-fixture';
import { avOffsetsMs, beepOnsets, flashOnsets } from '../../test/support/av-sync';
import { launchBrowser } from '../../test/support/browser';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { ffprobeJson } from '../../test/support/recording-world';
import { startS3, type S3Server } from '../../test/support/s3-server';
import { measureLocalAvPhase, phasesMs, rememberLocalTracks } from './local-av-phase';
import { joinAs, openMeetingPage } from './page-helpers';
import { createMeetingIn, DESKTOP } from './usability';
import { ensureWebClientBuilt } from './web-build';

/*
 * A/V sync of a recording, end to end: Chromium's fake camera and microphone play a picture that
 * flashes white and a beep at the start of every 2 s; the person records the meeting with the
 * web client's Record button; the real server captures on its SFU into S3Proxy and composes the
 * MP4; the flashes and beeps are found again in it. Each beep must follow its flash by the phase
 * the sender's own page measured between its two devices (local-av-phase.ts says why there is
 * one), within ±45 ms (ITU-R BT.1359's detectability threshold).
 */

const PERIOD_MS = 2000;
const RECORD_SECONDS = 24;
let dir: string;
let s3: S3Server;
let server: ConferProcess;
let browser: Browser;

beforeAll(async () => {
  ensureWebClientBuilt();
  dir = mkdtempSync(join(tmpdir(), 'confer-av-sync-'));
  const files = makeFlashBeepFiles(dir, PERIOD_MS / 1000);
  s3 = await startS3();
  [server, browser] = await Promise.all([
    startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      LOG_LEVEL: 'info',
      OBJECT_STORE: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket!,
      S3_REGION: s3.region,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      ...(process.env['MEDIASOUP_WORKER_BIN']
        ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
        : {}),
    }),
    launchBrowser({ args: fakeDeviceFileFlags(files) }),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Listed {
  recordingId: string;
  status: string;
  startedAt: string;
  stoppedAt: string | null;
  downloadUrl: string | null;
}

describe('a recording keeps audio and video in sync', () => {
  it('each beep follows its flash in the MP4 as it did in the sender, within ±45 ms', async () => {
    const { context, page } = await openMeetingPage(browser, DESKTOP);
    await rememberLocalTracks(context);
    const meeting = await createMeetingIn(page, server.url, 'Sync check');
    await joinAs(page, 'Sam');

    await page.getByRole('button', { name: 'Record', exact: true }).click();
    await page.locator('.recording-indicator').waitFor();
    const recordingSince = Date.now();
    // The sender's own phase between camera and microphone, read while it is being recorded.
    const local = await measureLocalAvPhase(page, 12);
    const remaining = RECORD_SECONDS * 1000 - (Date.now() - recordingSince);
    if (remaining > 0) await page.waitForTimeout(remaining);
    await page.getByRole('button', { name: 'Stop recording' }).click();

    const list = () =>
      page.evaluate(
        async ({ meetingId, token }) => {
          const res = await fetch(`/meetings/${meetingId}/recordings`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await res.json()) as { recordings: Listed[] }).recordings;
        },
        { meetingId: meeting.meetingId, token: meeting.hostToken },
      );
    await expect
      .poll(async () => (await list())[0]?.status, { timeout: 240_000, intervals: [1000] })
      .toBe('available');
    const recording = (await list())[0]!;
    const response = await fetch(recording.downloadUrl!);
    expect(response.ok).toBe(true);
    const path = join(dir, 'recorded.mp4');
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));

    const probe = ffprobeJson(path);
    const wall = (Date.parse(recording.stoppedAt!) - Date.parse(recording.startedAt)) / 1000;
    const phases = phasesMs(local, PERIOD_MS);
    phases.sort((a, b) => a - b);
    const phase = phases[Math.floor(phases.length / 2)]!;
    const flashes = flashOnsets(path);
    const beeps = beepOnsets(path);
    const offsets = avOffsetsMs(flashes, beeps, phase);
    const aligned = readFileSync(join(server.dataDir, 'confer.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"track aligned"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .map(({ kind, offsetSeconds, rate, method }) => ({ kind, offsetSeconds, rate, method }));
    console.log(
      JSON.stringify({
        wall,
        duration: probe.format.duration,
        senderPhasesMs: phases,
        offsetsMs: offsets,
        aligned,
      }),
    );

    expect(phases.length, 'flash/beep pairs seen in the sender').toBeGreaterThanOrEqual(4);
    // The sender's phase is one constant (its devices kept time while it was measured).
    expect(phases.at(-1)! - phases[0]!).toBeLessThanOrEqual(20);
    expect(probe.streams.map((s) => s.codec_name)).toEqual(expect.arrayContaining(['h264', 'aac']));
    expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);
    expect(offsets.length, 'flash/beep pairs found in the recording').toBeGreaterThanOrEqual(8);
    for (const offset of offsets)
      expect(Math.abs(offset), `offsets ${offsets.join(', ')} ms`).toBeLessThanOrEqual(45);
    await context.close();
  }, 420_000);
});
