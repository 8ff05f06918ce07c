import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutEpochs } from '../../pipelines/recording/layout';
import { launchBrowser } from '../../test/support/browser';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { ffprobeJson } from '../../test/support/recording-world';
import { conferS3Env, startS3, type S3Server } from '../../test/support/s3-server';
import { joinAs, openMeetingPage, tile } from './page-helpers';
import { createMeetingIn, DESKTOP, expectUsable, PHONE } from './usability';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/*
 * The "Done when": three people meet in Chromium; the host records through the web
 * client's Record button, everyone sees that they are recorded, a fourth person is told before
 * entering; the host stops, ends the meeting, sees the recording processed with its progress,
 * plays it in the page and downloads it. The MP4 is made asynchronously by the server's pipeline
 * into S3Proxy: H.264 + AAC, the length of start → stop, chapters, the chat as a subtitle track,
 * and every participant's camera in the picture.
 */

let dir: string;
let s3: S3Server;
let server: ConferProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureWebClientBuilt();
  dir = mkdtempSync(join(tmpdir(), 'confer-recording-e2e-'));
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
    launchBrowser(),
  ]);
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.dispose();
  await s3?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(viewport = DESKTOP): Promise<Page> {
  const { context, page } = await openMeetingPage(browser, viewport);
  contexts.push(context);
  return page;
}

/** Checks a control at both sizes, as a person on a laptop and on a phone would see it. */
async function expectUsableAtBothSizes(page: Page, target: () => ReturnType<Page['locator']>, what: string) {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await expectUsable(target(), `${what} (${size})`);
  }
  await page.setViewportSize(DESKTOP);
}

const indicator = (page: Page) => () => page.locator('.recording-indicator');

describe('recording a meeting through the web client', () => {
  it('three people are recorded with the Record button; the host plays and downloads a complete MP4', async () => {
    const host = await open();
    const meeting = await createMeetingIn(host, server.url, 'Quarterly review');
    const hanaId = await joinAs(host, 'Hana');
    const ann = await open();
    await ann.goto(meeting.url);
    const annId = await joinAs(ann, 'Ann');
    const bob = await open(PHONE);
    await bob.goto(meeting.url);
    const bobId = await joinAs(bob, 'Bob');
    const people = [host, ann, bob];
    for (const page of people)
      for (const id of [hanaId, annId, bobId]) await expect.poll(() => tile(page, id).count()).toBe(1);

    // Only the host has the button; nobody is told of a recording yet.
    const record = () => host.getByRole('button', { name: 'Record', exact: true });
    await expectUsableAtBothSizes(host, record, 'the Record button');
    expect(await ann.getByRole('button', { name: 'Record', exact: true }).count()).toBe(0);
    for (const page of people) expect(await indicator(page)().count()).toBe(0);

    await record().click();
    const startedAt = Date.now();
    for (const page of people) {
      await indicator(page)().waitFor({ timeout: 15_000 });
      await expectUsableAtBothSizes(page, indicator(page), 'the recording indicator');
    }
    await expectUsableAtBothSizes(
      host,
      () => host.getByRole('button', { name: 'Stop recording' }),
      'the Stop recording button',
    );

    // Someone about to join is told first.
    const late = await open(PHONE);
    await late.goto(meeting.url);
    const notice = () => late.getByRole('note').filter({ hasText: 'This meeting is being recorded' });
    await notice().waitFor({ timeout: 15_000 });
    await expectUsableAtBothSizes(late, notice, 'the notice before joining');

    // A chat line during the recording becomes a caption.
    await ann.getByRole('button', { name: 'Chat', exact: true }).click();
    const box = ann.getByRole('textbox', { name: 'Chat message' });
    await box.fill('Numbers look good');
    await box.press('Enter');

    const remaining = 20_000 - (Date.now() - startedAt);
    if (remaining > 0) await host.waitForTimeout(remaining);
    // On a loaded machine a browser's camera can start late: stop only once every camera has a
    // segment safely stored (as the meeting's stream records it), or fail if one never does.
    await expect
      .poll(() => camerasWithStoredSegments(server.dataDir, meeting.meetingId), {
        timeout: 120_000,
        interval: 1000,
      })
      .toBe(3);
    await host.getByRole('button', { name: 'Stop recording' }).click();
    for (const page of people) await indicator(page)().waitFor({ state: 'detached', timeout: 15_000 });

    // The host ends the meeting and finds the recording on the page that follows.
    await host.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.getByRole('button', { name: 'End meeting for all' }).click();
    const item = host.getByTestId('recording-item');
    await item.waitFor({ timeout: 30_000 });
    const statuses = new Set<string>();
    await expect
      .poll(
        async () => {
          const status = (await item.getAttribute('data-status')) ?? '';
          statuses.add(status);
          if (status === 'processing') statuses.add(`progress:${await item.locator('progress').count()}`);
          return status;
        },
        { timeout: 240_000, interval: 500 },
      )
      .toBe('available');
    expect([...statuses].some((s) => s === 'processing' || s === 'available')).toBe(true);
    if (statuses.has('processing')) expect(statuses.has('progress:1')).toBe(true);

    const play = () => item.getByRole('button', { name: 'Play' });
    const download = () => item.getByRole('link', { name: 'Download' });
    await expectUsableAtBothSizes(host, play, 'Play');
    await expectUsableAtBothSizes(host, download, 'Download');
    await play().click();
    const player = host.locator('video.recording-player');
    await expect
      .poll(
        () => player.evaluate((v: HTMLVideoElement) => (v.error ? `error ${v.error.code}` : v.currentTime)),
        {
          timeout: 30_000,
        },
      )
      .toBeGreaterThan(0.5);

    const href = (await download().getAttribute('href'))!;
    const response = await fetch(new URL(href, server.url));
    expect(response.ok).toBe(true);
    const path = join(dir, 'meeting.mp4');
    writeFileSync(path, Buffer.from(await response.arrayBuffer()));

    const listed = await host.evaluate(
      async ({ meetingId, token }) => {
        const res = await fetch(`/meetings/${meetingId}/recordings`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return (await res.json()) as { recordings: Array<{ startedAt: string; stoppedAt: string }> };
      },
      { meetingId: meeting.meetingId, token: meeting.hostToken },
    );
    const r = listed.recordings[0]!;
    const wall = (Date.parse(r.stoppedAt) - Date.parse(r.startedAt)) / 1000;
    const probe = ffprobeJson(path);
    const kinds = probe.streams.map((s) => `${s.codec_type}:${s.codec_name}`);
    expect(kinds).toEqual(expect.arrayContaining(['video:h264', 'audio:aac', 'subtitle:mov_text']));
    expect(Math.abs(Number(probe.format.duration) - wall)).toBeLessThan(1);
    expect(probe.chapters.length).toBeGreaterThanOrEqual(1);
    const subtitles = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:s:0', '-f', 'srt', '-'], {
      encoding: 'utf8',
    });
    expect(subtitles).toContain('Ann: Numbers look good');

    // Every camera is in the picture: the grid of three, each tile showing something, not the canvas.
    const tiles = layoutEpochs(
      ['a', 'b', 'c'].map((trackId) => ({
        trackId,
        source: 'camera' as const,
        startSeconds: 0,
        endSeconds: 10,
      })),
      10,
    )[0]!.tiles;
    // A camera that started late on a loaded machine is still in the file: each tile must show
    // video in at least one of three frames (half way, three quarters, near the end).
    const frameAt = (seconds: number) =>
      execFileSync(
        'ffmpeg',
        [
          '-v',
          'error',
          '-ss',
          String(seconds),
          '-i',
          path,
          '-frames:v',
          '1',
          '-f',
          'rawvideo',
          '-pix_fmt',
          'gray',
          '-',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
    const spreadIn = (frame: Buffer, t: (typeof tiles)[number]) => {
      let sum = 0;
      let sumSq = 0;
      let n = 0;
      for (let y = t.y + 10; y < t.y + t.height - 40; y += 4)
        for (let x = t.x + 10; x < t.x + t.width - 10; x += 4) {
          const v = frame[y * 1280 + x]!;
          sum += v;
          sumSq += v * v;
          n++;
        }
      const mean = sum / n;
      return { mean, spread: Math.sqrt(sumSq / n - mean * mean) };
    };
    const frames = [0.5, 0.75, 0.95].map((share) => frameAt(wall * share));
    // The frame, for a person to look at (test-results/ keeps the browser tests' artefacts).
    mkdirSync(RESULTS_DIR, { recursive: true });
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-ss',
      String(wall * 0.75),
      '-i',
      path,
      '-frames:v',
      '1',
      join(RESULTS_DIR, 'recording-frame.png'),
    ]);
    const aligned = readFileSync(join(server.dataDir, 'confer.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"track aligned"'));
    // Where the composer placed each track, for a failure to explain itself.
    const placed = aligned.map((line) => {
      const { kind, offsetSeconds, endSeconds, segments } = JSON.parse(line) as Record<string, unknown>;
      return JSON.stringify({ kind, offsetSeconds, endSeconds, segments });
    });
    for (const t of tiles) {
      const seen = frames.map((frame) => spreadIn(frame, t));
      // The fake camera draws a moving pattern: a tile holding video is never one flat colour.
      expect(
        Math.max(...seen.map((x) => x.spread)),
        `tile at ${t.x},${t.y} (${t.width}x${t.height}): means ${seen.map((x) => Math.round(x.mean)).join(', ')} ` +
          `at ${[0.5, 0.75, 0.95].map((share) => (wall * share).toFixed(1)).join(', ')} s of ${wall.toFixed(1)}; placed: ${placed.join('; ')}`,
      ).toBeGreaterThan(8);
    }
    // Every person's camera, and nothing else, is composed. A person whose connection was
    // re-established during the recording (a loaded machine) negotiates again, which publishes
    // their camera as a new producer, and so a track of its own: the same person, another track.
    const cameras = recordedTracks(server.dataDir, meeting.meetingId);
    const composedVideo = aligned
      .map((line) => JSON.parse(line) as { trackId: string; kind: string })
      .filter((t) => t.kind === 'video')
      .map((t) => cameras.get(t.trackId));
    const explained = `composed video tracks: ${JSON.stringify(composedVideo)}; placed: ${placed.join('; ')}`;
    expect(
      composedVideo.every((t) => t?.source === 'camera'),
      explained,
    ).toBe(true);
    expect(new Set(composedVideo.map((t) => t?.participantId)), explained).toEqual(
      new Set([hanaId, annId, bobId]),
    );
  }, 480_000);
});

/** Each recorded track's participant and source, from its segments' events in the server's store. */
function recordedTracks(
  dataDir: string,
  meetingId: string,
): Map<string, { participantId: string; source: string }> {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT data FROM events WHERE meeting_id = ? AND type = 'RecordingSegmentStored'")
      .all(meetingId) as Array<{ data: string }>;
    return new Map(
      rows
        .map((r) => JSON.parse(r.data) as { trackId: string; participantId: string; source: string })
        .map((d) => [d.trackId, { participantId: d.participantId, source: d.source }]),
    );
  } finally {
    db.close();
  }
}

/** How many participants' cameras have a segment stored. */
function camerasWithStoredSegments(dataDir: string, meetingId: string): number {
  const cameras = [...recordedTracks(dataDir, meetingId).values()].filter((t) => t.source === 'camera');
  return new Set(cameras.map((t) => t.participantId)).size;
}
