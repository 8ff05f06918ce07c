import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConfer, type RunningConfer } from '../../app/compose';
import { loadConfig } from '../../app/config';
import { systemActor } from '../../domain/shared/actor';
import { launchBrowser } from '../../test/support/browser';
import { api } from '../../test/support/confer-client';
import { eventually } from '../../test/support/eventually';
import { freePort } from '../../test/support/free-port';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/**
 * The insights page as a host sees it: a meeting with three people who spoke for different times
 * and reported their connection, then the page in Chromium at desktop and phone sizes. Every chart
 * must be drawn, visible and not covered by anything. The server runs in this process so that the
 * test can change the active speaker with the very command the SFU sends (no media needed).
 */
let confer: RunningConfer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  ensureWebClientBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'confer-insights-'));
  const port = await freePort();
  confer = await startConfer(
    loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      MEDIA: 'false',
      LOG_LEVEL: 'silent',
      READ_MODELS_NICENESS: process.env['READ_MODELS_NICENESS'],
    }),
    { logger: pino({ level: 'silent' }) },
  );
  browser = await launchBrowser();
  mkdirSync(RESULTS_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await confer?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function meetingWithHistory() {
  const client = api(confer.url);
  const meeting = await client.createMeeting({ title: 'Quarterly review' });
  const ann = await client.join(meeting.meetingId, 'Ann', { hostToken: meeting.hostToken });
  const bob = await client.join(meeting.meetingId, 'Bob');
  const cid = await client.join(meeting.meetingId, 'Cid');
  const speak = (participantId: string | null) =>
    confer.commands.handle(
      meeting.meetingId,
      { type: 'ChangeActiveSpeaker', participantId },
      { actor: systemActor('sfu') },
    );
  const report = (token: string, figures: Record<string, number>) =>
    client.call(
      'POST',
      `/meetings/${meeting.meetingId}/analytics/reports`,
      { kind: 'quality', ...figures },
      token,
    );
  // Two quality windows, so each participant has a line; speakers change in between.
  for (const [round, fig] of [
    [0, { rttMs: 40, lossPct: 0.5, jitterMs: 4 }],
    [1, { rttMs: 180, lossPct: 3, jitterMs: 20 }],
  ] as const) {
    if (round === 1) {
      const next = Math.ceil(Date.now() / 10_000) * 10_000;
      await new Promise((resolve) => setTimeout(resolve, next - Date.now() + 50));
    }
    await speak(ann.participantId);
    await report(ann.token, fig);
    await report(bob.token, { ...fig, rttMs: fig.rttMs * 2 });
    await report(cid.token, { ...fig, lossPct: fig.lossPct * 3 });
    await new Promise((resolve) => setTimeout(resolve, 900));
    await speak(bob.participantId);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await speak(cid.participantId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await speak(null);
  }
  return { meeting, ids: [ann.participantId, bob.participantId, cid.participantId] };
}

/** The chart is on screen, drawn (pixels not all transparent) and the topmost thing at its centre. */
async function expectChartVisible(page: Page, testId: string): Promise<void> {
  const canvas = page.getByTestId(testId);
  await canvas.scrollIntoViewIfNeeded();
  await expect.poll(() => canvas.isVisible(), { timeout: 10_000 }).toBe(true);
  const box = await canvas.boundingBox();
  expect(box && box.width > 100 && box.height > 100, `${testId} has a size`).toBe(true);
  const state = await canvas.evaluate((element) => {
    const c = element as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) drawn++;
    const inViewport = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 1 && r.right <= innerWidth + 1;
    return { uncovered: top === c, drawn, inViewport };
  });
  expect(state.uncovered, `${testId} is covered`).toBe(true);
  expect(state.inViewport, `${testId} fits the screen`).toBe(true);
  expect(state.drawn, `${testId} drew nothing`).toBeGreaterThan(500);
}

describe('meeting insights page', () => {
  it('shows the host talk time, participants and quality as charts, on a desktop and a phone', async () => {
    const { meeting, ids } = await meetingWithHistory();
    const client = api(confer.url);
    const insights = await eventually('insights with talk time and quality of all three', async () => {
      const res = await client.call<{ talkTime: unknown[]; quality: unknown[] }>(
        'GET',
        `/meetings/${meeting.meetingId}/insights`,
        undefined,
        meeting.hostToken,
      );
      return res.body.talkTime.length === 3 && res.body.quality.length === 3 && res.body;
    });
    expect(insights.talkTime).toHaveLength(ids.length);

    for (const [name, viewport] of [
      ['desktop', { width: 1280, height: 800 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const context = await browser.newContext({
        viewport,
        ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}),
      });
      // The tab that created the meeting keeps its host token, as the home page does.
      await context.addInitScript(([id, token]) => sessionStorage.setItem(`confer:host:${id}`, token), [
        meeting.meetingId,
        meeting.hostToken,
      ] as const);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
      await page.goto(`${confer.url}/m/${meeting.meetingId}/insights`);
      await expect
        .poll(() => page.getByRole('heading', { name: 'Meeting insights' }).isVisible(), { timeout: 15_000 })
        .toBe(true);
      await expect.poll(() => page.getByText('Peak participants').isVisible()).toBe(true);
      for (const chart of ['talk-time-chart', 'participants-chart', 'quality-chart'])
        await expectChartVisible(page, chart);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(RESULTS_DIR, `insights-${name}.png`), fullPage: true });
      await context.close();
    }
  }, 180_000);

  it('tells someone without the host’s or an analyst’s credential that they cannot see it', async () => {
    const meeting = await api(confer.url).createMeeting({ title: 'Private' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${confer.url}/m/${meeting.meetingId}/insights`);
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
      .toContain('Only the host');
    await context.close();
  });
});
