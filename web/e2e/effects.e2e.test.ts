import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Chromium's own fake camera is a nearly flat green: too little detail for a blur to show. The
 * camera here plays a black-and-white checkerboard of 24-pixel squares sliding 4 pixels a frame
 * (looped): sharp edges everywhere at any simulcast layer, and nobody in it, so the segmenter
 * finds all of it background.
 */
function checkerboardCameraFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'confer-effects-')), 'checkerboard.y4m');
  const squares = "geq=lum='if(mod(floor((X+N*4)/24)+floor(Y/24),2),235,16)':cb=128:cr=128";
  execFileSync('ffmpeg', [
    ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=640x480:r=10'],
    ...['-vf', squares, '-t', '3', '-pix_fmt', 'yuv420p', file],
  ]);
  return file;
}

beforeAll(async () => {
  ensureWebClientBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const camera = checkerboardCameraFile();
  [server, browser] = await Promise.all([
    startMediaServer(),
    launchBrowser({ args: [`--use-file-for-fake-video-capture=${camera}`] }),
  ]);
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
    const responses: { url: string; status: number }[] = [];
    // The whole context: its pages and their workers (an AudioWorklet module is checked below).
    hana.context.on('request', (request) => {
      const url = request.url();
      if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin) elsewhere.push(url);
    });
    hana.context.on('response', (response) =>
      responses.push({ url: response.url(), status: response.status() }),
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
      responses.some((r) => pattern.test(r.url) && r.url.startsWith(origin) && r.status === 200);
    expect(ours(/\/effects\/selfie\/selfie_segmentation_landscape\.tflite$/)).toBe(true);
    expect(ours(/\/effects\/selfie\/selfie_segmentation_solution_(simd_)?wasm_bin\.wasm$/)).toBe(true);
    // An AudioWorklet's module fetch is not reported to playwright: the page's bundle names the
    // worklet by a path on this origin, and Confer serves it (RNNoise's wasm is inlined in it).
    const bundle = await hana.page.evaluate(async () => {
      const main = document.querySelector<HTMLScriptElement>('script[type="module"]')!.src;
      return (await fetch(main)).text();
    });
    const worklet = /\/assets\/rnnoise-worklet-[\w-]+\.js/.exec(bundle)?.[0];
    expect(worklet).toBeDefined();
    const workletResponse = await fetch(`${origin}${worklet}`);
    expect(workletResponse.status).toBe(200);
    expect(workletResponse.headers.get('content-type')).toMatch(/javascript/);
    expect((await workletResponse.text()).length).toBeGreaterThan(100_000);
    expect(elsewhere).toEqual([]);
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  }, 180_000);
});
