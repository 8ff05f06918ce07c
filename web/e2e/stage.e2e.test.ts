import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { joinAs, tile } from './page-helpers';
import { createMeetingIn, DESKTOP, expectUsable, person, PHONE } from './usability';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/**
 * What people see on the stage (issue 15): pin, spotlight, self view, speaker and grid view,
 * full screen for a shared screen, and reactions, checked as a person sees them (every control
 * used is visible and not covered, on a desktop and a phone) and by geometry (who is large).
 */

let server: ConferProcess;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** The worker scripts/setup.sh builds and caches, when the environment does not name one. */
function workerBin(): Record<string, string> {
  if (process.env['MEDIASOUP_WORKER_BIN'])
    return { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] };
  const cache = join(homedir(), '.cache', 'confer');
  const dir = existsSync(cache)
    ? readdirSync(cache).find((d) => d.startsWith('mediasoup-worker-'))
    : undefined;
  const bin = dir ? join(cache, dir, 'mediasoup-worker') : '';
  return bin && existsSync(bin) ? { MEDIASOUP_WORKER_BIN: bin } : {};
}

beforeAll(async () => {
  ensureWebClientBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  [server, browser] = await Promise.all([
    startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      RECONNECT_GRACE_SECONDS: '30',
      ...workerBin(),
    }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

async function open(viewport: {
  width: number;
  height: number;
}): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await person(browser, viewport);
  contexts.push(opened.context);
  return opened;
}

async function closeAll(): Promise<void> {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
}

const control = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const menuItem = (page: Page, name: string) => page.getByRole('menuitem', { name, exact: true });
const area = async (locator: Locator) => {
  const box = await locator.boundingBox();
  return box ? box.width * box.height : 0;
};

/** A host on a desktop, Gus on a desktop and Ivy on a phone, all in one meeting. */
async function threePeople(title: string) {
  const hana = await open(DESKTOP);
  const meeting = await createMeetingIn(hana.page, server.url, title);
  const hanaId = await joinAs(hana.page, 'Hana');
  const gus = await open(DESKTOP);
  await gus.page.goto(meeting.url);
  const gusId = await joinAs(gus.page, 'Gus');
  const ivy = await open(PHONE);
  await ivy.page.goto(meeting.url);
  const ivyId = await joinAs(ivy.page, 'Ivy');
  for (const page of [hana.page, gus.page, ivy.page])
    await expect.poll(() => page.locator('.tile').count()).toBe(3);
  return {
    meeting,
    hana: { ...hana, id: hanaId },
    gus: { ...gus, id: gusId },
    ivy: { ...ivy, id: ivyId },
  };
}

/** `who`'s tile on `page` is the large one: more than twice the area of every other tile. */
async function expectLarge(page: Page, who: string, size: string): Promise<void> {
  await expect.poll(() => page.locator('.stage-focus').count(), { timeout: 10_000 }).toBe(1);
  const large = await area(tile(page, who));
  const others = page.locator(`.tile:not([data-participant-id="${who}"])`);
  for (let i = 0; i < (await others.count()); i++)
    expect(large, `${who}'s tile must be the large one (${size})`).toBeGreaterThan(
      2 * (await area(others.nth(i))),
    );
  await expectUsable(tile(page, who).locator('.tile-name'), `the large tile's name (${size})`);
}

/** Opens a tile's options and picks one, each control checked as usable first. */
async function tileOption(page: Page, tileName: string, option: string, size: string): Promise<void> {
  const button = control(page, `Options for ${tileName}`);
  await expectUsable(button, `Options for ${tileName} (${size})`);
  await button.click();
  await expectUsable(menuItem(page, option), `${option} (${size})`);
  await menuItem(page, option).click();
}

describe('pinning someone (for myself)', () => {
  it('makes their tile the large one on my stage only, on a desktop and a phone, until I unpin', async () => {
    const { hana, gus, ivy } = await threePeople('Pin check');
    await tileOption(hana.page, 'Gus', 'Pin for me', 'desktop');
    await expectLarge(hana.page, gus.id, 'desktop');
    expect(await tile(hana.page, gus.id).getAttribute('data-pinned')).toBe('true');
    // Nobody else's stage changed.
    expect(await gus.page.locator('.stage-grid .tile').count()).toBe(3);

    await tileOption(ivy.page, 'Hana', 'Pin for me', 'phone');
    await expectLarge(ivy.page, hana.id, 'phone');
    await ivy.page.screenshot({ path: `${RESULTS_DIR}/stage-phone-pinned.png` });

    await tileOption(hana.page, 'Gus', 'Unpin', 'desktop');
    await hana.page.locator('.stage-grid').waitFor();
    expect(await hana.page.locator('.stage-grid .tile').count()).toBe(3);
    await closeAll();
  }, 120_000);
});

describe("the host's spotlight (for everyone)", () => {
  it('puts one person large on every stage, is offered to hosts only, and goes when that person leaves', async () => {
    const { hana, gus, ivy } = await threePeople('Spotlight check');
    // Ivy is not a host: her menu has no spotlight.
    await control(ivy.page, 'Options for Gus').click();
    await expectUsable(menuItem(ivy.page, 'Pin for me'), 'Pin for me (phone)');
    expect(await menuItem(ivy.page, 'Spotlight for everyone').count()).toBe(0);
    await ivy.page.keyboard.press('Escape');
    await ivy.page.getByRole('menu').waitFor({ state: 'detached' });

    await tileOption(hana.page, 'Gus', 'Spotlight for everyone', 'desktop');
    for (const [page, size] of [
      [hana.page, 'desktop'],
      [gus.page, 'desktop'],
      [ivy.page, 'phone'],
    ] as const) {
      await expectLarge(page, gus.id, size);
      expect(await page.locator('.stage-focus').getAttribute('data-focus')).toBe('spotlight');
      await expectUsable(
        tile(page, gus.id).locator('.tile-badge', { hasText: 'Spotlight' }),
        `the Spotlight badge (${size})`,
      );
    }

    // Gus leaves: the spotlight goes with him, for everyone.
    await control(gus.page, 'Leave').click();
    for (const page of [hana.page, ivy.page]) {
      await expect
        .poll(() => page.evaluate(() => window.__confer!.state()['spotlightId']), { timeout: 10_000 })
        .toBeNull();
      await page.locator('.stage-grid').waitFor();
      expect(await page.locator('.tile').count()).toBe(2);
    }
    await closeAll();
  }, 120_000);
});

describe('self view, speaker view and grid view', () => {
  for (const [size, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)
    it(`hides my own tile and switches to speaker view, remembered after a reload (${size})`, async () => {
      const me = await open(viewport);
      const meeting = await createMeetingIn(me.page, server.url, `Layout check (${size})`);
      const myId = await joinAs(me.page, 'Hana');
      const other = await open(DESKTOP);
      await other.page.goto(meeting.url);
      const otherId = await joinAs(other.page, 'Gus');
      await expect.poll(() => me.page.locator('.tile').count()).toBe(2);

      // From the tile's own menu: my tile is gone from my grid, Gus's stays (and he still sees me).
      await tileOption(me.page, 'you', 'Hide self view', size);
      await tile(me.page, myId).waitFor({ state: 'detached' });
      await expectUsable(tile(me.page, otherId).locator('.tile-name'), `Gus's name (${size})`);
      expect(await tile(other.page, myId).count()).toBe(1);

      // Speaker view from the Layout button: Gus (the only other person) large.
      const layout = control(me.page, 'Layout');
      await expectUsable(layout, `Layout (${size})`);
      await layout.click();
      const speaker = me.page.getByRole('menuitemradio', { name: 'Speaker' });
      await expectUsable(speaker, `Speaker (${size})`);
      await speaker.click();
      await me.page.locator('.stage-focus[data-focus="speaker"]').waitFor();
      expect(await tile(me.page, otherId).count()).toBe(1);
      expect(await tile(me.page, myId).count()).toBe(0);

      // A reload (the same person reconnects) keeps both choices.
      await me.page.reload();
      await expect
        .poll(() => me.page.evaluate(() => window.__confer?.state()['phase']), { timeout: 30_000 })
        .toBe('joined');
      await me.page.locator('.stage-focus[data-focus="speaker"]').waitFor({ timeout: 15_000 });
      expect(await tile(me.page, myId).count()).toBe(0);

      // And back: grid with everyone, self view shown.
      await control(me.page, 'Layout').click();
      await me.page.getByRole('menuitemradio', { name: 'Grid' }).click();
      await control(me.page, 'Layout').click();
      await expectUsable(menuItem(me.page, 'Show self view'), `Show self view (${size})`);
      await menuItem(me.page, 'Show self view').click();
      await me.page.locator('.stage-grid').waitFor();
      await expect.poll(() => me.page.locator('.stage-grid .tile').count()).toBe(2);
      await closeAll();
    }, 120_000);
});

describe('full screen for a shared screen', () => {
  it('shows the share tile full screen from its own button, and back', async () => {
    const presenter = await open(DESKTOP);
    const meeting = await createMeetingIn(presenter.page, server.url, 'Slides, full screen');
    await joinAs(presenter.page, 'Hana');
    const viewers: Page[] = [];
    for (const viewport of [DESKTOP, PHONE]) {
      const viewer = await open(viewport);
      await viewer.page.goto(meeting.url);
      await joinAs(viewer.page, viewport === PHONE ? 'Ivy' : 'Gus');
      viewers.push(viewer.page);
    }
    await expect
      .poll(
        () => presenter.page.evaluate(() => (window.__confer!.state()['media'] as { status: string }).status),
        {
          timeout: 20_000,
        },
      )
      .toBe('ready');
    await control(presenter.page, 'Share screen').click();
    for (const [i, size] of [
      [0, 'desktop'],
      [1, 'phone'],
    ] as const) {
      const page = viewers[i]!;
      const share = page.getByRole('region', { name: 'Shared screen' });
      await share.waitFor({ timeout: 15_000 });
      const button = share.getByRole('button', { name: 'Full screen', exact: true });
      await expectUsable(button, `Full screen (${size})`);
      await button.click();
      await expect
        .poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute('aria-label') ?? null))
        .toBe('Shared screen');
      const exit = share.getByRole('button', { name: 'Exit full screen', exact: true });
      await expectUsable(exit, `Exit full screen (${size})`);
      await exit.click();
      await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
    }
    await closeAll();
  }, 120_000);
});

describe('reactions', () => {
  it("show over the sender's tile for everyone and as a line in chat; screenshots", async () => {
    const { hana, gus, ivy } = await threePeople('Reactions check');
    // Gus on a desktop sends applause.
    await expectUsable(control(gus.page, 'Reactions'), 'Reactions (desktop)');
    await control(gus.page, 'Reactions').click();
    await expectUsable(menuItem(gus.page, 'Clapping'), 'Clapping (desktop)');
    await menuItem(gus.page, 'Clapping').click();
    for (const page of [hana.page, ivy.page, gus.page]) {
      const shown = tile(page, gus.id).locator('.tile-reaction[data-emoji="👏"]');
      await shown.waitFor({ timeout: 10_000 });
      // Over Gus's tile, inside it.
      const [t, r] = [await tile(page, gus.id).boundingBox(), await shown.boundingBox()];
      expect(t && r && r.x >= t.x && r.y >= t.y && r.x + r.width <= t.x + t.width + 1).toBe(true);
    }
    // Hana pins Gus: the picture the issue asks for (a pinned participant and a reaction).
    await tileOption(hana.page, 'Gus', 'Pin for me', 'desktop');
    await expectLarge(hana.page, gus.id, 'desktop');
    await control(gus.page, 'Reactions').click();
    await menuItem(gus.page, 'Celebrating').click();
    await tile(hana.page, gus.id).locator('.tile-reaction[data-emoji="🎉"]').waitFor({ timeout: 10_000 });
    await hana.page.screenshot({ path: `${RESULTS_DIR}/stage-pinned-reaction.png` });

    // In the chat, as lines of their own.
    await control(hana.page, 'Chat').click();
    const log = hana.page.getByRole('log', { name: 'Chat messages' });
    await log.locator('.chat-reaction[data-reaction="👏"]', { hasText: 'Gus' }).waitFor();
    await expectUsable(
      log.locator('.chat-reaction[data-reaction="🎉"]', { hasText: 'Gus' }),
      'the reaction line in chat',
    );

    // Ivy on a phone reacts too, while a notice shows: the phone-sized meeting with a toast.
    await expectUsable(control(ivy.page, 'Reactions'), 'Reactions (phone)');
    await control(ivy.page, 'Reactions').click();
    await expectUsable(menuItem(ivy.page, 'Heart'), 'Heart (phone)');
    await menuItem(ivy.page, 'Heart').click();
    await tile(gus.page, ivy.id).locator('.tile-reaction[data-emoji="❤️"]').waitFor({ timeout: 10_000 });
    await hana.page
      .getByRole('log', { name: 'Chat messages' })
      .locator('.chat-reaction[data-reaction="❤️"]')
      .waitFor();
    const late = await open(DESKTOP);
    await late.page.goto(hana.page.url());
    await joinAs(late.page, 'Lou');
    await ivy.page.locator('.toast', { hasText: 'Lou joined' }).waitFor({ timeout: 10_000 });
    await control(ivy.page, 'Reactions').click();
    await menuItem(ivy.page, 'Thumbs up').click();
    await tile(ivy.page, ivy.id).locator('.tile-reaction[data-emoji="👍"]').waitFor({ timeout: 10_000 });
    for (const name of ['Microphone', 'Camera', 'Reactions', 'Leave'])
      await expectUsable(control(ivy.page, name), `${name} with a toast (phone)`);
    await ivy.page.screenshot({ path: `${RESULTS_DIR}/stage-phone-toast-reaction.png` });

    // A few seconds later the reaction is gone from the tile (the chat keeps all four).
    await tile(hana.page, gus.id).locator('.tile-reaction').waitFor({ state: 'detached', timeout: 15_000 });
    await log.locator('.chat-reaction[data-reaction="👍"]', { hasText: 'Ivy' }).waitFor();
    expect(await log.locator('.chat-reaction').count()).toBe(4);
    await closeAll();
  }, 150_000);
});
