import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import type { ConferProcess } from '../../test/support/confer-process';
import { startMediaServer } from './media-server';
import { joinAs, tile } from './page-helpers';
import { picture, remoteAudioPeak } from './picture-probe';
import { createMeetingIn, DESKTOP, person } from './usability';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/**
 * Background blur (MediaPipe selfie segmentation) and noise suppression (RNNoise in an
 * AudioWorklet) on the client (issue 15), judged at the other end: what the other person's
 * browser decodes and plays. Both run from assets Confer serves itself: any request to another
 * origin fails the test.
 */

let server: ConferProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ensureWebClientBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  [server, browser] = await Promise.all([startMediaServer(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

async function open(): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await person(browser, DESKTOP);
  contexts.push(opened.context);
  return opened;
}

type Effects = { blur: boolean; noiseSuppression: boolean };
const effects = (page: Page) =>
  page.evaluate(() => (window.__confer!.state()['local'] as { effects: Effects }).effects);

/** The mean detail of a few frames: the fake camera's pattern moves, a single frame may be plain. */
async function detail(video: Parameters<typeof picture>[0]): Promise<number> {
  let sum = 0;
  for (let i = 0; i < 5; i++) sum += (await picture(video)).detail;
  return sum / 5;
}

describe('background blur and noise suppression', () => {
  it('blur softens what the other person receives and off restores it; noise suppression keeps the audio coming; both remembered; nothing fetched from elsewhere', async () => {
    const hana = await open();
    const origin = new URL(server.url).origin;
    const elsewhere: string[] = [];
    const served: { url: string; status: number }[] = [];
    // The whole context: pages, workers and worklets.
    hana.context.on('request', (request) => {
      const url = request.url();
      if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) elsewhere.push(url);
    });
    hana.context.on('response', (response) =>
      served.push({ url: response.url(), status: response.status() }),
    );

    const meeting = await createMeetingIn(hana.page, server.url, 'Effects');
    const hanaId = await joinAs(hana.page, 'Hana');
    const gus = await open();
    await gus.page.goto(meeting.url);
    await joinAs(gus.page, 'Gus');
    const hanaAtGus = tile(gus.page, hanaId).locator('video');
    await expect.poll(async () => (await picture(hanaAtGus)).width, { timeout: 30_000 }).toBeGreaterThan(0);
    const sharp = await detail(hanaAtGus);
    expect(sharp).toBeGreaterThan(2);
    expect(await effects(hana.page)).toEqual({ blur: false, noiseSuppression: false });

    await hana.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = hana.page.getByRole('dialog', { name: 'Settings' });
    const blur = dialog.getByRole('switch', { name: 'Blur my background' });
    await blur.check();
    // Loading the model and the wasm takes a while on a busy machine.
    await expect.poll(async () => (await effects(hana.page)).blur, { timeout: 60_000 }).toBe(true);
    await expect.poll(() => detail(hanaAtGus), { timeout: 20_000 }).toBeLessThan(sharp * 0.5);
    await gus.page.screenshot({ path: `${RESULTS_DIR}/effects-blur-received.png` });
    await blur.uncheck();
    await expect.poll(async () => (await effects(hana.page)).blur).toBe(false);
    await expect.poll(() => detail(hanaAtGus), { timeout: 20_000 }).toBeGreaterThan(sharp * 0.75);

    const heardBefore = await remoteAudioPeak(gus.page, 2500);
    expect(heardBefore).toBeGreaterThan(0);
    await dialog.getByRole('switch', { name: 'Noise suppression' }).check();
    await expect
      .poll(async () => (await effects(hana.page)).noiseSuppression, { timeout: 30_000 })
      .toBe(true);
    // Still heard at the other end through RNNoise (Chromium's fake microphone beeps).
    expect(await remoteAudioPeak(gus.page, 2500)).toBeGreaterThan(0);

    // Remembered: after a reload noise suppression runs again, blur stays off.
    await hana.page.reload();
    await expect
      .poll(() => hana.page.evaluate(() => window.__confer?.state()['phase']), { timeout: 30_000 })
      .toBe('joined');
    await expect
      .poll(() => effects(hana.page), { timeout: 30_000 })
      .toEqual({ blur: false, noiseSuppression: true });

    // Served by Confer: the segmentation model and wasm, and the RNNoise worklet.
    const ours = (pattern: RegExp) =>
      served.some((s) => pattern.test(s.url) && s.url.startsWith(origin) && s.status === 200);
    expect(ours(/\/effects\/selfie\/selfie_segmentation_landscape\.tflite$/)).toBe(true);
    expect(ours(/\/effects\/selfie\/selfie_segmentation_solution_(simd_)?wasm_bin\.wasm$/)).toBe(true);
    expect(ours(/\/assets\/rnnoise-worklet[^/]*\.js$/)).toBe(true);
    expect(elsewhere).toEqual([]);
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  }, 180_000);
});
