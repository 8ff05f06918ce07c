import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { InboundStat } from '../src/session/media-session';

/** What the browser tests do to and read from a page of the web client. */

/** A person: their own browser context (cookies, storage, devices) and page; the page's errors are printed. */
export async function openMeetingPage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') console.warn(`[page] ${message.text()}`);
  });
  return { context, page };
}

/** The pre-join page: name, then "Join now"; resolves once the meeting page shows. */
export async function joinAs(page: Page, name: string): Promise<string> {
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  // A first join on a loaded machine (a fresh cluster, projections catching up) takes seconds.
  await expect
    .poll(() => page.evaluate(() => window.__confer?.state()['phase']), { timeout: 30_000 })
    .toBe('joined');
  return page.evaluate(() => window.__confer!.participantId!);
}

export const tile = (page: Page, participantId: string) =>
  page.locator(`.tile[data-participant-id="${participantId}"]`);

export async function inbound(page: Page): Promise<InboundStat[]> {
  return page.evaluate(() => window.__confer!.inboundStats());
}

/** Sums what `page` received from `from`'s `source` (frames decoded, packets). */
export async function received(page: Page, from: string, source: 'camera' | 'microphone' | 'screen') {
  const stats = (await inbound(page)).filter((s) => s.participantId === from && s.source === source);
  return {
    frames: stats.reduce((n, s) => n + (s.framesDecoded ?? 0), 0),
    packets: stats.reduce((n, s) => n + s.packetsReceived, 0),
  };
}

/** Waits until `measure` grows twice in a row: media is flowing, not just connected. */
export async function expectRising(measure: () => Promise<number>, what: string, page?: Page): Promise<void> {
  let last = -1;
  let rises = 0;
  const seen: number[] = [];
  const deadline = Date.now() + 25_000;
  while (Date.now() < deadline) {
    const now = await measure();
    seen.push(now);
    if (last >= 0 && now > last) rises++;
    if (now > 0 && rises >= 2) return;
    last = now;
    await sleep(700);
  }
  const details = page
    ? JSON.stringify({
        inbound: await inbound(page),
        remote: await page.evaluate(() => window.__confer!.state()['remote']),
        ...(await page.evaluate(() => {
          const { media, connection, mediaRestarts, disconnects } = window.__confer!.state();
          return { media, connection, mediaRestarts, disconnects };
        })),
        at: new Date().toISOString(),
      })
    : '';
  throw new Error(`${what} did not keep rising (values every 0.7 s: ${seen.join(' ')}) ${details}`);
}

/** Every person decodes every other person's camera and receives their microphone. */
export async function expectEveryoneReceivesEveryone(
  people: ReadonlyArray<{ name: string; page: Page; id: string }>,
): Promise<void> {
  await Promise.all(
    people.flatMap((me) =>
      people
        .filter((other) => other !== me)
        .flatMap((other) => [
          expectRising(
            async () => (await received(me.page, other.id, 'camera')).frames,
            `${me.name} decoding ${other.name}'s camera`,
            me.page,
          ),
          expectRising(
            async () => (await received(me.page, other.id, 'microphone')).packets,
            `${me.name} receiving ${other.name}'s microphone`,
            me.page,
          ),
        ]),
    ),
  );
}
