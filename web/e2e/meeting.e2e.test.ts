import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import {
  expectEveryoneReceivesEveryone,
  expectRising,
  joinAs,
  openMeetingPage,
  received,
  tile,
} from './page-helpers';
import { tamperWithRequests } from './tamper-with-requests';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/**
 * Three people meet through the web client in Debian's Chromium with fake camera, microphone and
 * screen: the host creates the meeting on the home page, two guests join by its link. Tests run
 * in order on the same meeting, as a person would use it.
 *
 * The SFU is required (scripts/setup.sh builds its worker): without it the first test fails and
 * says why. CONFER_E2E_MEDIA=optional runs the rest without media (the page must say so).
 */
const mediaRequired = process.env['CONFER_E2E_MEDIA'] !== 'optional';

interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  id: string;
}

let server: ConferProcess;
let browser: Browser;
let meetingUrl = '';
let host: Person;
let ann: Person;
let bob: Person;
let mediaAvailable = false;

const VIEWPORT = { width: 1280, height: 800 };

beforeAll(async () => {
  ensureWebClientBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  [server, browser] = await Promise.all([
    startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      RECONNECT_GRACE_SECONDS: '30',
      // scripts/setup.sh (npm test) builds the mediasoup worker and exports where it is.
      ...(process.env['MEDIASOUP_WORKER_BIN']
        ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
        : {}),
    }),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const openPage = () => openMeetingPage(browser, VIEWPORT);

describe('three people meet through the web client', () => {
  it('the host creates a meeting on the home page; two guests join by its link', async () => {
    const h = await openPage();
    await h.page.goto(`${server.url}/`);
    await h.page.getByLabel('Meeting title').fill('Design review');
    await h.page.getByRole('button', { name: 'Start meeting' }).click();
    await h.page.waitForURL(/\/m\/[A-Za-z0-9_-]+$/);
    meetingUrl = h.page.url();
    await expect.poll(() => h.page.getByRole('heading', { name: 'Design review' }).count()).toBe(1);
    host = { name: 'Hana', ...h, id: await joinAs(h.page, 'Hana') };
    mediaAvailable = await h.page.evaluate(() => {
      const media = window.__confer!.state()['media'] as { status: string };
      return media.status !== 'unavailable';
    });
    if (mediaRequired && !mediaAvailable) {
      const log = readFileSync(join(server.dataDir, 'confer.log'), 'utf8');
      const reason =
        log.split('\n').find((line) => line.includes('media (SFU) is unavailable')) ?? log.slice(-2000);
      throw new Error(
        `The server has no SFU (set CONFER_E2E_MEDIA=optional to test without media): ${reason}`,
      );
    }

    // A guest pastes the link on the home page; the other opens it directly.
    const a = await openPage();
    await a.page.goto(`${server.url}/`);
    await a.page.getByLabel('Meeting link or code').fill(meetingUrl);
    await a.page.getByRole('button', { name: 'Join', exact: true }).click();
    await a.page.waitForURL(meetingUrl);
    ann = { name: 'Ann', ...a, id: await joinAs(a.page, 'Ann') };
    const b = await openPage();
    await b.page.goto(meetingUrl);
    bob = { name: 'Bob', ...b, id: await joinAs(b.page, 'Bob') };

    for (const person of [host, ann, bob]) {
      for (const other of [host, ann, bob])
        await expect.poll(() => tile(person.page, other.id).count()).toBe(1);
      for (const name of ['Microphone', 'Camera', 'Share screen', 'Raise hand', 'Chat', 'Leave'] as const) {
        expect(await person.page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
      }
    }
    for (const person of [host, ann, bob]) {
      // Everyone joined with the camera and microphone of the pre-join check turned on.
      for (const name of ['Microphone', 'Camera']) {
        const control = person.page.getByRole('button', { name, exact: true });
        expect(await control.getAttribute('aria-pressed'), `${person.name}'s ${name}`).toBe('true');
      }
    }
    // Ending for all is behind the host's Leave (a question), never a button beside it.
    expect(
      await host.page.getByRole('button', { name: 'Leave', exact: true }).getAttribute('aria-haspopup'),
    ).toBe('dialog');
    expect(
      await ann.page.getByRole('button', { name: 'Leave', exact: true }).getAttribute('aria-haspopup'),
    ).toBe(null);
    if (!mediaAvailable) {
      // Without an SFU the page says so, and everything else keeps working.
      await expect
        .poll(() => ann.page.getByText('Audio and video are not available').count())
        .toBeGreaterThan(0);
    }
  }, 60_000);

  it('a chat message reaches the others live, with an unread count', async () => {
    await ann.page.getByRole('button', { name: 'Chat', exact: true }).click();
    const box = ann.page.getByRole('textbox', { name: 'Chat message' });
    await box.fill('Hello from Ann!');
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('');
    // Bob has the panel closed: a badge counts it; opening the panel shows it and clears the count.
    const bobChat = bob.page.getByRole('button', { name: 'Chat', exact: true });
    await expect.poll(() => bobChat.locator('.badge').textContent()).toBe('1');
    await bobChat.click();
    await expect
      .poll(() => bob.page.getByRole('log', { name: 'Chat messages' }).textContent())
      .toContain('Hello from Ann!');
    expect(await bobChat.locator('.badge').count()).toBe(0);
    await host.page.getByRole('button', { name: 'Chat', exact: true }).click();
    await expect
      .poll(() => host.page.getByRole('log', { name: 'Chat messages' }).textContent())
      .toContain('Hello from Ann!');
  }, 30_000);

  it("muting shows on the others' tiles and in the people list, and unmuting clears it", async () => {
    const annOnHost = tile(host.page, ann.id);
    const annOnBob = tile(bob.page, ann.id);
    expect(await annOnHost.getAttribute('data-audio')).toBe('on');
    await ann.page.getByRole('button', { name: 'Microphone', exact: true }).click();
    // How fast it shows is a benchmark's question (guide: no timed assertions); a loaded CI
    // machine took over a second here. What a person needs is that it shows.
    await Promise.all(
      [annOnHost, annOnBob].map((t) =>
        t.getByRole('img', { name: 'Microphone off' }).waitFor({ state: 'visible', timeout: 10_000 }),
      ),
    );
    expect(
      await ann.page.getByRole('button', { name: 'Microphone', exact: true }).getAttribute('aria-pressed'),
    ).toBe('false');
    // The people list says it too.
    await bob.page.getByRole('button', { name: 'People', exact: true }).click();
    const row = bob.page.locator(`.people-list [data-participant-id="${ann.id}"]`);
    await expect.poll(() => row.getAttribute('aria-label')).toContain('microphone off');
    // Unmuting comes back the same way.
    await ann.page.getByRole('button', { name: 'Microphone', exact: true }).click();
    await expect.poll(() => annOnHost.getAttribute('data-audio')).toBe('on');
  }, 30_000);

  it('a raised hand shows on every tile and in the people list', async () => {
    await bob.page.getByRole('button', { name: 'Raise hand', exact: true }).click();
    for (const person of [host, ann]) {
      await tile(person.page, bob.id).getByRole('img', { name: 'Hand raised' }).waitFor({ timeout: 5000 });
    }
    const row = bob.page.locator(`.people-list [data-participant-id="${bob.id}"]`);
    await expect.poll(() => row.getAttribute('aria-label')).toContain('hand raised');
    // The host lowers it from the people list.
    await host.page.getByRole('button', { name: 'People', exact: true }).click();
    await host.page.getByRole('button', { name: "Lower Bob's hand" }).click();
    await expect
      .poll(() =>
        bob.page.getByRole('button', { name: 'Raise hand', exact: true }).getAttribute('aria-pressed'),
      )
      .toBe('false');
    await host.page.getByRole('button', { name: 'Chat', exact: true }).click();
  }, 30_000);

  it('each person decodes video from both others and receives their audio', async (ctx) => {
    if (!mediaAvailable) ctx.skip();
    const people = [host, ann, bob];
    await expectEveryoneReceivesEveryone(people);
    // Video shows in the tiles, and the screenshot shows the three of them.
    for (const me of people) {
      for (const other of people.filter((o) => o !== me)) {
        await expect.poll(() => tile(me.page, other.id).getAttribute('data-video')).toBe('on');
      }
    }
    // Both transports are encrypted with the AEAD suite (AES-GCM), the one the SFU's forwarding
    // benchmark prices a browser subscriber at (BROWSER_SRTP_SUITE in media/testing/synthetic-rtp.ts).
    for (const me of people)
      expect(await me.page.evaluate(() => window.__confer!.srtpCiphers()), me.name).toEqual([
        'SRTP_AEAD_AES_256_GCM',
        'SRTP_AEAD_AES_256_GCM',
      ]);
    await host.page.waitForTimeout(1500);
    await host.page.screenshot({ path: `${RESULTS_DIR}/meeting-3-people.png` });
  }, 60_000);

  it('a screen share is received and shown large', async (ctx) => {
    if (!mediaAvailable) ctx.skip();
    await host.page.getByRole('button', { name: 'Share screen', exact: true }).click();
    for (const viewer of [ann, bob]) {
      const shared = viewer.page.getByRole('region', { name: 'Shared screen' });
      await shared.waitFor({ timeout: 15_000 });
      await expectRising(
        async () => (await received(viewer.page, host.id, 'screen')).frames,
        `${viewer.name} decoding the shared screen`,
      );
      const screenBox = await shared.boundingBox();
      const tileBox = await tile(viewer.page, ann.id).boundingBox();
      expect(screenBox!.width * screenBox!.height).toBeGreaterThan(4 * tileBox!.width * tileBox!.height);
    }
    await ann.page.waitForTimeout(1000);
    await ann.page.screenshot({ path: `${RESULTS_DIR}/meeting-screen-share.png` });
    await host.page.getByRole('button', { name: 'Share screen', exact: true }).click();
    await ann.page
      .getByRole('region', { name: 'Shared screen' })
      .waitFor({ state: 'detached', timeout: 10_000 });
  }, 60_000);

  it('a dropped connection is announced, then restored with what was missed', async () => {
    await bob.context.setOffline(true);
    await bob.page.getByText('Connection lost.').waitFor({ timeout: 10_000 });
    await ann.page.getByRole('textbox', { name: 'Chat message' }).fill('Did you miss this, Bob?');
    await ann.page.getByRole('textbox', { name: 'Chat message' }).press('Enter');
    await host.page.getByText('Did you miss this, Bob?').waitFor({ timeout: 5000 });
    await bob.context.setOffline(false);
    await bob.page.getByText('Connection lost.').waitFor({ state: 'detached', timeout: 20_000 });
    // The message sent while Bob was away was replayed from his last seq (not reloaded): it counts
    // as unread on his Chat button (his panel shows the people list), and shows in the chat.
    const bobChat = bob.page.getByRole('button', { name: 'Chat', exact: true });
    await expect.poll(() => bobChat.locator('.badge').textContent()).toBe('1');
    await bobChat.click();
    await bob.page.getByRole('log', { name: 'Chat messages' }).getByText('Did you miss this, Bob?').waitFor();
    await expect.poll(() => tile(host.page, bob.id).getAttribute('class')).not.toContain('reconnecting');
    if (mediaAvailable) {
      await expectRising(
        async () => (await received(bob.page, ann.id, 'camera')).frames,
        "Bob decoding Ann's camera after reconnecting",
      );
    }
  }, 60_000);

  it('leaving removes the tile for the others', async () => {
    await bob.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await bob.page.getByRole('heading', { name: 'You left the meeting' }).waitFor();
    for (const person of [host, ann]) {
      await tile(person.page, bob.id).waitFor({ state: 'detached', timeout: 5000 });
      expect(await person.page.locator('.tile').count()).toBe(2);
    }
  }, 30_000);

  it('the host ends the meeting for everyone', async () => {
    await host.page.screenshot({ path: `${RESULTS_DIR}/meeting-2-people-chat.png` });
    await host.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await host.page
      .getByRole('dialog', { name: 'Leave the meeting?' })
      .getByRole('button', { name: 'End meeting for all' })
      .click();
    await ann.page.getByRole('heading', { name: 'The meeting has ended' }).waitFor({ timeout: 5000 });
    await host.page.getByRole('heading', { name: 'The meeting has ended' }).waitFor({ timeout: 5000 });
    const view = (await (await fetch(`${server.url}/meetings/${meetingUrl.split('/').pop()}`)).json()) as {
      status: string;
    };
    expect(view.status).toBe('ended');
    for (const p of [host, ann, bob]) await p.context.close();
  }, 30_000);
});

describe('joining with a passcode and a denied camera, through a waiting room', () => {
  it('checks the passcode, explains the camera, waits, is let in with the chat history, muted and removed', async () => {
    const h = await openPage();
    await h.page.goto(`${server.url}/`);
    await h.page.getByLabel('Meeting title').fill('Office hours');
    await h.page.getByText('Waiting room').click();
    await h.page.getByLabel('Passcode').fill('2468-1357');
    await h.page.getByRole('button', { name: 'Start meeting' }).click();
    await h.page.waitForURL(/\/m\//);
    const url = h.page.url();
    await joinAs(h.page, 'Host'); // the host's token stands in for the passcode
    await h.page.getByRole('button', { name: 'Chat', exact: true }).click();
    await h.page.getByRole('textbox', { name: 'Chat message' }).fill('Welcome! We start in a minute.');
    await h.page.getByRole('textbox', { name: 'Chat message' }).press('Enter');

    const g = await openPage();
    // This guest's browser refuses the camera (as when a person clicks "Block").
    await g.context.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (constraints) =>
        constraints?.video
          ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
          : original(constraints);
    });
    await g.page.goto(url);
    await g.page.getByText('Camera access was denied').first().waitFor();
    await g.page.getByLabel('Your name').fill('Eve');
    await g.page.getByLabel('Passcode').fill('0000-0000');
    await g.page.getByRole('button', { name: 'Join now' }).click();
    await g.page.getByText('That passcode is not right.').waitFor();
    await g.page.getByLabel('Passcode').fill('2468-1357');
    await g.page.getByRole('button', { name: 'Join now' }).click();
    await g.page.getByRole('heading', { name: 'Waiting for the host to let you in' }).waitFor();
    await g.page.screenshot({ path: `${RESULTS_DIR}/waiting-room.png` });

    await h.page.getByRole('button', { name: 'People', exact: true }).click();
    await h.page.getByRole('button', { name: 'Admit Eve' }).click();
    await expect.poll(() => g.page.evaluate(() => window.__confer?.state()['phase'])).toBe('joined');
    const eveId = await g.page.evaluate(() => window.__confer!.participantId!);
    await tile(h.page, eveId).waitFor();
    expect(await tile(h.page, eveId).getAttribute('data-video')).toBe('off');
    // Admission turns cameras on by default; Eve has none, and her client tells the meeting so.
    const eveRow = h.page.locator(`.people-list [data-participant-id="${eveId}"]`);
    await expect.poll(() => eveRow.getAttribute('aria-label')).toContain('camera off');
    expect(
      await g.page.getByRole('button', { name: 'Camera', exact: true }).getAttribute('aria-pressed'),
    ).toBe('false');
    await g.page.getByText('Camera access was denied').first().waitFor();
    // What was said before she came in is there (history, loaded once admitted).
    await g.page.getByRole('button', { name: 'Chat', exact: true }).click();
    await g.page
      .getByRole('log', { name: 'Chat messages' })
      .getByText('Welcome! We start in a minute.')
      .waitFor();

    // Host controls: mute her, then remove her.
    await h.page.getByRole('button', { name: 'Mute Eve' }).click();
    await g.page.getByText('The host muted your microphone').waitFor({ timeout: 5000 });
    expect(
      await g.page.getByRole('button', { name: 'Microphone', exact: true }).getAttribute('aria-pressed'),
    ).toBe('false');
    await h.page.getByRole('button', { name: 'Remove Eve' }).click();
    await h.page.getByRole('button', { name: 'Confirm removing Eve' }).click();
    await g.page
      .getByRole('heading', { name: 'You were removed from the meeting' })
      .waitFor({ timeout: 5000 });
    await tile(h.page, eveId).waitFor({ state: 'detached', timeout: 5000 });
    await h.context.close();
    await g.context.close();
  }, 60_000);
});

describe('a server too busy to answer what a person asks to receive', () => {
  it("tries again, so the other person's camera and microphone still play", async (ctx) => {
    if (!mediaRequired && !mediaAvailable) ctx.skip();
    const h = await openPage();
    await h.page.goto(`${server.url}/`);
    await h.page.getByLabel('Meeting title').fill('Busy server');
    await h.page.getByRole('button', { name: 'Start meeting' }).click();
    await h.page.waitForURL(/\/m\//);
    const hostId = await joinAs(h.page, 'Host');

    // Kim's connection is the server's as usual, except that her first media:consume and her first
    // two media:resume-consumer requests are answered as a server out of budget answers them.
    const k = await openPage();
    const refused = await tamperWithRequests(k.context, {
      'media:consume': { refuse: 1 },
      'media:resume-consumer': { refuse: 2 },
    });
    await k.page.goto(h.page.url());
    await joinAs(k.page, 'Kim');
    await expectRising(
      async () => (await received(k.page, hostId, 'camera')).frames,
      "Kim decoding the host's camera",
      k.page,
    );
    await expectRising(
      async () => (await received(k.page, hostId, 'microphone')).packets,
      "Kim receiving the host's microphone",
      k.page,
    );
    // The refusals really happened: the media plays because the client tried again
    expect(refused).toEqual({ 'media:consume': 1, 'media:resume-consumer': 2 });
    await h.context.close();
    await k.context.close();
  }, 90_000);
});

describe('a chat message', () => {
  it('leaves the box at once, even when the server is slow to answer; a refused one comes back into it', async () => {
    const c = await openPage();
    // Cy's first chat is refused; the server's answers to her others come 2 s late (the message's
    // broadcast does not wait for them).
    const refused = await tamperWithRequests(c.context, { chat: { refuse: 1, delayAnswersMs: 2_000 } });
    await c.page.goto(`${server.url}/`);
    await c.page.getByLabel('Meeting title').fill('Refused chat');
    await c.page.getByRole('button', { name: 'Start meeting' }).click();
    await c.page.waitForURL(/\/m\//);
    await joinAs(c.page, 'Cy');
    await c.page.getByRole('button', { name: 'Chat', exact: true }).click();
    const box = c.page.getByRole('textbox', { name: 'Chat message' });
    const log = c.page.getByRole('log', { name: 'Chat messages' });
    await box.fill('Did this arrive?');
    await box.press('Enter');
    // The refusal is said, and the words are not lost: they are back in the box to send again.
    await c.page.getByText('Too many attempts; wait a moment and try again.').waitFor();
    await expect.poll(() => box.inputValue()).toBe('Did this arrive?');
    expect(await log.getByText('Did this arrive?').count()).toBe(0);
    expect(refused).toEqual({ chat: 1 });

    // Sent again: the message shows in the log while the answer is still on its way, and by then
    // the box is already empty (not holding what was just sent, as if it had not gone).
    await box.press('Enter');
    await log.getByText('Did this arrive?').waitFor();
    expect(await box.inputValue()).toBe('');
    await c.context.close();
  }, 60_000);
});
