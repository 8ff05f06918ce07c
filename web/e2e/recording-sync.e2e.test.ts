import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFlashBeepFiles, fakeDeviceFileFlags } from '../../test/support/av-fixture';
import { afterEveryTrackBegan, beepOnsets, flashOnsets } from '../../test/support/av-sync';
import { launchBrowser } from '../../test/support/browser';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { ffprobeJson } from '../../test/support/recording-world';
import { conferS3Env, startS3, type S3Server } from '../../test/support/s3-server';
import { offsetsAgainstSender, rememberLocalTracks, startLocalAvWatch } from './local-av-phase';
import { joinAs, openMeetingPage } from './page-helpers';
import { createMeetingIn, DESKTOP } from './usability';
import { ensureWebClientBuilt } from './web-build';

/*
 * A/V sync of a recording, end to end: Chromium's fake camera and microphone play a picture that
 * flashes white and a beep at the start of every 2 s; the person records the meeting with the
 * web client's Record button; the real server captures on its SFU into S3Proxy and composes the
 * MP4; the flashes and beeps are found again in it. Every flash must sit where the sender
 * captured it relative to the sound, within ±45 ms (ITU-R BT.1359's detectability threshold):
 * the sender's page reads its own camera and microphone for that (local-av-phase.ts says why the
 * files alone cannot tell), and the slope of the offsets over the recording is its drift.
 */

const PERIOD_MS = 2000;
/** CONFER_AV_SYNC_SECONDS=300 makes the drift check of the issue (a long run, not in CI's default path). */
const RECORD_SECONDS = Number(process.env['CONFER_AV_SYNC_SECONDS'] ?? 24);
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
      ...conferS3Env(s3),
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
  it(
    'each beep follows its flash in the MP4 as it did in the sender, within ±45 ms',
    async () => {
      const { context, page } = await openMeetingPage(browser, DESKTOP);
      await rememberLocalTracks(context);
      const meeting = await createMeetingIn(page, server.url, 'Sync check');
      await joinAs(page, 'Sam');

      // Every flash and beep the sender captures from just before the recording until its end.
      const watch = await startLocalAvWatch(page);
      await page.getByRole('button', { name: 'Record', exact: true }).click();
      await page.locator('.recording-indicator').waitFor();
      await page.waitForTimeout(RECORD_SECONDS * 1000);
      await page.getByRole('button', { name: 'Stop recording' }).click();
      const local = await watch.stop();

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
        .poll(async () => (await list())[0]?.status, { timeout: 240_000, interval: 1000 })
        .toBe('available');
      const recording = (await list())[0]!;
      const response = await fetch(recording.downloadUrl!);
      expect(response.ok).toBe(true);
      const path = join(dir, 'recorded.mp4');
      writeFileSync(path, Buffer.from(await response.arrayBuffer()));

      const probe = ffprobeJson(path);
      const wall = (Date.parse(recording.stoppedAt!) - Date.parse(recording.startedAt)) / 1000;
      const log = readFileSync(join(server.dataDir, 'confer.log'), 'utf8');
      const logDir = process.env['CONFER_TEST_LOGS'];
      if (logDir) writeFileSync(join(logDir, 'recording-sync.log'), log);
      const aligned = log
        .split('\n')
        .filter((line) => line.includes('"track aligned"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .map(({ kind, offsetSeconds, rate, method }) => ({ kind, offsetSeconds, rate, method }));
      // What the recorder said about its tracks (a restart, ffmpeg dying, a segment not stored):
      // CI keeps this test's output but not the server's log, so a failure must carry it.
      const recorder = log
        .split('\n')
        .filter((line) =>
          /"msg":"(recording a track|restarting a track recorder|recorder ffmpeg died|a recorded segment could not be stored|storing a segment failed; retrying|recording capture failed)"/.test(
            line,
          ),
        )
        .map((line) => {
          const { msg, kind, trackId, reason, err } = JSON.parse(line) as Record<string, unknown>;
          return { msg, kind, trackId, reason, err: (err as { message?: string } | undefined)?.message };
        });
      const starts = aligned.map((a) => Number(a.offsetSeconds));
      const flashes = afterEveryTrackBegan(flashOnsets(path), starts);
      const beeps = afterEveryTrackBegan(beepOnsets(path), starts);
      const { shiftMs, coarseMs, offsetsMs } = offsetsAgainstSender(
        local,
        { flashes, beeps },
        Date.parse(recording.startedAt),
      );
      console.log(
        JSON.stringify({
          wall,
          duration: probe.format.duration,
          sender: {
            frames: local.frames,
            flashesMs: local.flashesMs.map(Math.round),
            beepsMs: local.beepsMs.map(Math.round),
          },
          recorded: { flashes, beeps },
          shiftMs: Math.round(shiftMs),
          coarseMs: Math.round(coarseMs),
          offsetsMs,
          aligned,
          recorder,
        }),
      );

      expect(aligned.map((a) => a.kind).sort()).toEqual(['audio', 'video']);
      // Placed by Chromium's own sender reports (the worker's "sr" trace), not by arrivals: what
      // keeps a starved encoder from moving the picture against the sound (CI's load did).
      expect(aligned.map((a) => a.method)).toEqual(['sender-clock', 'sender-clock']);
      expect(probe.streams.map((s) => s.codec_name)).toEqual(expect.arrayContaining(['h264', 'aac']));
      expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);
      expect(offsetsMs.length, 'flashes of the sender found in the recording').toBeGreaterThanOrEqual(8);
      for (const offset of offsetsMs)
        expect(Math.abs(offset), `offsets ${offsetsMs.join(', ')} ms`).toBeLessThanOrEqual(45);
      // Drift: the offsets' slope over the recording, ms per minute (one per 2 s flash).
      const n = offsetsMs.length;
      const mx = (n - 1) / 2;
      const my = offsetsMs.reduce((a, b) => a + b, 0) / n;
      const slope =
        offsetsMs.reduce((a, y, i) => a + (i - mx) * (y - my), 0) /
        offsetsMs.reduce((a, _, i) => a + (i - mx) ** 2, 0);
      const driftMsPerMinute = slope * 30;
      console.log(JSON.stringify({ driftMsPerMinute: Math.round(driftMsPerMinute * 10) / 10 }));
      if (RECORD_SECONDS >= 120) expect(Math.abs(driftMsPerMinute)).toBeLessThanOrEqual(10);
      await context.close();
    },
    420_000 + RECORD_SECONDS * 3000,
  );
});
