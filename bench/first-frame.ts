import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser';
import { api } from '../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../test/support/confer-process';
import { ensureWebClientBuilt } from '../web/e2e/web-build';
import { percentile } from './stats';

/**
 * Time to first picture, as a person sees it: in Debian's Chromium with fake devices, a "sender"
 * joins a meeting through the web client with its camera on and stays; then, `runs` times, a
 * fresh browser context opens the meeting's pre-join page, clicks "Join now", and we measure
 * until that page has decoded a first frame of the sender's camera (framesDecoded > 0, polled
 * every 20 ms). The whole join path is inside: REST join, socket, transports (ICE, DTLS),
 * consume, resume, keyframe, decode. Pure measurement: prints nothing.
 *
 * Both ends of the clock are read inside the page (performance.now() in a capture listener on
 * the button, and in the poll loop), so playwright's round trips do not count.
 */
export interface FirstFrameOptions {
  /** Measured joins (default 8). */
  runs?: number;
  /** An already running Confer with media; without it one is started (and stopped) here. */
  baseUrl?: string;
}

export interface FirstFrameResult {
  samplesMs: number[];
  p50Ms: number;
  p95Ms: number;
}

const VIEWPORT = { width: 1280, height: 800 };
const POLL_MS = 20;
const FIRST_FRAME_TIMEOUT_MS = 30_000;

export async function benchFirstFrame(options: FirstFrameOptions = {}): Promise<FirstFrameResult> {
  const runs = options.runs ?? 8;
  ensureWebClientBuilt();
  let server: ConferProcess | undefined;
  let browser: Browser | undefined;
  try {
    [server, browser] = await Promise.all([
      options.baseUrl ? Promise.resolve(undefined) : startMediaServer(),
      launchBrowser(),
    ]);
    const baseUrl = options.baseUrl ?? server!.url;
    const { meetingId } = await api(baseUrl).createMeeting({ title: 'First-frame benchmark' });
    const meetingUrl = `${baseUrl}/m/${meetingId}`;

    const senderContext = await browser.newContext({ viewport: VIEWPORT });
    const sender = await senderContext.newPage();
    await openPreJoin(sender, meetingUrl, 'Sender');
    await sender.getByRole('button', { name: 'Join now' }).click();
    await sender.waitForFunction(() => window.__confer?.state()['phase'] === 'joined');
    const senderId = await sender.evaluate(() => window.__confer!.participantId!);

    // One unmeasured join first: it proves the sender's camera reaches the SFU (so run 1 does not
    // include the sender's own start-up) and warms the browser and server.
    await timedJoin(browser, meetingUrl, senderId, 'Warm-up');
    const samplesMs: number[] = [];
    for (let run = 1; run <= runs; run++) {
      samplesMs.push(await timedJoin(browser, meetingUrl, senderId, `Viewer ${run}`));
    }
    const sorted = [...samplesMs].sort((a, b) => a - b);
    return { samplesMs, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.dispose();
  }
}

function startMediaServer(): Promise<ConferProcess> {
  return startConferProcess({
    MEDIA: 'true',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    // scripts/setup.sh builds the mediasoup worker and exports where it is (as the e2e test does).
    ...(process.env['MEDIASOUP_WORKER_BIN']
      ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
      : {}),
  });
}

/** The pre-join page, ready to click: name filled, meeting loaded, camera preview playing. */
async function openPreJoin(page: Page, meetingUrl: string, name: string): Promise<void> {
  await page.goto(meetingUrl);
  await page.getByLabel('Your name').fill(name);
  // The button is disabled until the meeting's details arrive.
  await page.waitForFunction(() => {
    const button = Array.from(document.querySelectorAll('button')).find(
      (b) => b.textContent?.trim() === 'Join now',
    );
    return button !== undefined && !button.disabled;
  });
  // A person clicks once they see themselves: do not time the camera's start-up.
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('video')).some(
      (v) => v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA,
    ),
  );
}

/** One fresh person joins; returns ms from the click on "Join now" to the sender's first decoded frame. */
async function timedJoin(
  browser: Browser,
  meetingUrl: string,
  senderId: string,
  name: string,
): Promise<number> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await openPreJoin(page, meetingUrl, name);
    await page.evaluate(() => {
      const marks = window as unknown as { __benchJoinClickedAt?: number };
      document.addEventListener(
        'click',
        () => {
          marks.__benchJoinClickedAt ??= performance.now();
        },
        { capture: true },
      );
    });
    await page.getByRole('button', { name: 'Join now' }).click();
    const elapsed = await page.evaluate(
      async ({ from, pollMs, timeoutMs }) => {
        const marks = window as unknown as { __benchJoinClickedAt?: number };
        const deadline = performance.now() + timeoutMs;
        while (performance.now() < deadline) {
          const stats = (await window.__confer?.inboundStats()) ?? [];
          const decoded = stats.some(
            (s) => s.participantId === from && s.source === 'camera' && (s.framesDecoded ?? 0) > 0,
          );
          if (decoded) return performance.now() - marks.__benchJoinClickedAt!;
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
        return null;
      },
      { from: senderId, pollMs: POLL_MS, timeoutMs: FIRST_FRAME_TIMEOUT_MS },
    );
    if (elapsed === null) {
      throw new Error(`${name} decoded no frame of the sender's camera within ${FIRST_FRAME_TIMEOUT_MS} ms`);
    }
    // Leave as a person does, so the meeting does not fill up with viewers.
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    return elapsed;
  } finally {
    await context.close();
  }
}
