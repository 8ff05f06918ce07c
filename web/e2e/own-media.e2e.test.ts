import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { joinAs, tile } from './page-helpers';
import { isMagenta, picture } from './picture-probe';
import { addSecondCamera, SECOND_CAMERA } from './second-camera';
import { createMeetingIn, DESKTOP, expectUsable, PHONE } from './usability';
import { RESULTS_DIR } from './web-build';
import { browserWorld } from './browser-world';

/**
 * The person's own devices (issue 15): choosing camera, microphone and speaker before and during
 * the meeting, remembered, switched live; a device unplugged or remembered but gone; and the
 * "you're muted" hint. In Debian's Chromium with fake devices, through the real SFU.
 */

const world = browserWorld();
const { open, closeAll } = world;

const control = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const settings = (page: Page) => page.getByRole('dialog', { name: 'Settings' });
const focused = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

/** The receiving page's view of `senderId`'s camera, once frames of it are decoded. */
async function cameraOf(receiver: Page, senderId: string) {
  const video = tile(receiver, senderId).locator('video');
  await expect
    .poll(async () => (await video.count()) === 1 && (await picture(video)).width > 0, { timeout: 30_000 })
    .toBe(true);
  return video;
}

describe('choosing devices', () => {
  it('in the meeting: the settings dialog (desktop and phone, keyboard), a live camera switch the other person receives, remembered after a reload', async () => {
    const hana = await open(DESKTOP);
    await addSecondCamera(hana.context);
    const meeting = await createMeetingIn(hana.page, world.server.url, 'Devices');
    const hanaId = await joinAs(hana.page, 'Hana');
    const gus = await open(DESKTOP);
    await gus.page.goto(meeting.url);
    await joinAs(gus.page, 'Gus');
    const hanaAtGus = await cameraOf(gus.page, hanaId);
    // Chromium's own fake camera first: not the flat magenta of the second one.
    expect(isMagenta(await picture(hanaAtGus))).toBe(false);

    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      await hana.page.setViewportSize(viewport);
      await expectUsable(control(hana.page, 'Settings'), `Settings (${size})`);
      await control(hana.page, 'Settings').click();
      const dialog = settings(hana.page);
      await dialog.waitFor();
      for (const name of ['Camera', 'Microphone'])
        await expectUsable(dialog.getByRole('combobox', { name }), `${name} picker (${size})`);
      for (const name of ['Blur my background', 'Noise suppression'])
        await expectUsable(dialog.getByRole('switch', { name }), `${name} (${size})`);
      await expectUsable(dialog.getByRole('button', { name: 'Done' }), `Done (${size})`);
      await hana.page.screenshot({ path: `${RESULTS_DIR}/own-media-settings-${size}.png` });
      // Esc closes it and gives focus back to the button that opened it.
      await hana.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(() => focused(hana.page)).toBe('Settings');
    }

    // Keyboard only: Enter on the focused Settings button, then the camera picker.
    await hana.page.keyboard.press('Enter');
    const camera = settings(hana.page).getByRole('combobox', { name: 'Camera' });
    await expect.poll(() => camera.locator('option').allTextContents()).toContain(SECOND_CAMERA.label);
    const producersBefore = await gus.page.evaluate(() => window.__confer!.state()['remote']);
    await camera.selectOption(SECOND_CAMERA.deviceId);
    // Gus now receives the second camera's magenta, through the same producer (no rejoin).
    await expect.poll(async () => isMagenta(await picture(hanaAtGus)), { timeout: 20_000 }).toBe(true);
    expect(await gus.page.evaluate(() => window.__confer!.state()['remote'])).toEqual(producersBefore);

    // The speaker: Chromium's fake devices list outputs; every audio element plays on the chosen one.
    const speaker = settings(gus.page);
    await control(gus.page, 'Settings').click();
    const outputs = speaker.getByRole('combobox', { name: 'Speaker' }).locator('option');
    await expect.poll(() => outputs.count()).toBeGreaterThan(1);
    const chosenOutput = (await outputs.nth(1).getAttribute('value'))!;
    await speaker.getByRole('combobox', { name: 'Speaker' }).selectOption(chosenOutput);
    await expect
      .poll(() =>
        gus.page.evaluate(() =>
          [...document.querySelectorAll('audio')].map((a) => (a as HTMLAudioElement).sinkId),
        ),
      )
      .toEqual([chosenOutput]);
    await speaker.getByRole('button', { name: 'Done' }).click();
    await settings(hana.page).getByRole('button', { name: 'Done' }).click();

    // A reload: the same person comes back with the same camera, and the dialog says so.
    await hana.page.reload();
    await expect
      .poll(() => hana.page.evaluate(() => window.__confer?.state()['phase']), { timeout: 30_000 })
      .toBe('joined');
    expect(await hana.page.evaluate(() => window.__confer!.participantId)).toBe(hanaId);
    const after = await cameraOf(gus.page, hanaId);
    await expect.poll(async () => isMagenta(await picture(after)), { timeout: 20_000 }).toBe(true);
    await control(hana.page, 'Settings').click();
    // The dialog lists the devices as the browser enumerates them (a moment after it opens).
    await expect
      .poll(() => settings(hana.page).getByRole('combobox', { name: 'Camera' }).inputValue(), {
        timeout: 5000,
      })
      .toBe(SECOND_CAMERA.deviceId);
    await closeAll();
  }, 150_000);

  it('before joining: the chosen camera is sent from the start; unplugged, the default takes over and the person is told', async () => {
    const hana = await open(DESKTOP);
    await addSecondCamera(hana.context);
    const meeting = await createMeetingIn(hana.page, world.server.url, 'Unplugged');
    const picker = hana.page.getByRole('combobox', { name: 'Camera' });
    await expectUsable(picker, 'the pre-join camera picker');
    await expect.poll(() => picker.locator('option').allTextContents()).toContain(SECOND_CAMERA.label);
    await picker.selectOption(SECOND_CAMERA.deviceId);
    const preview = hana.page.getByLabel('Your camera preview');
    await expect.poll(async () => isMagenta(await picture(preview)), { timeout: 10_000 }).toBe(true);
    const hanaId = await joinAs(hana.page, 'Hana');
    const gus = await open(DESKTOP);
    await gus.page.goto(meeting.url);
    await joinAs(gus.page, 'Gus');
    const hanaAtGus = await cameraOf(gus.page, hanaId);
    await expect.poll(async () => isMagenta(await picture(hanaAtGus)), { timeout: 20_000 }).toBe(true);

    // Every notice Hana is shown from now on.
    await hana.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __toasts: string[] }).__toasts = seen;
      new MutationObserver((records) => {
        for (const r of records)
          for (const n of r.addedNodes)
            if (n instanceof HTMLElement && n.classList.contains('toast')) seen.push(n.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true });
    });
    await hana.page.evaluate(() =>
      (window as unknown as { __unplugSecondCamera(): void }).__unplugSecondCamera(),
    );
    const told = hana.page.locator('.toast').filter({ hasText: 'Your camera was disconnected' });
    await told.waitFor({ timeout: 10_000 });
    await expectUsable(told, 'the notice of the unplugged camera');
    // Gus sees Hana again, from the default camera; her camera stays on.
    await expect.poll(async () => isMagenta(await picture(hanaAtGus)), { timeout: 20_000 }).toBe(false);
    expect(await control(hana.page, 'Camera').getAttribute('aria-pressed')).toBe('true');
    // Told once, though both the track's end and the device list said so.
    const toasts = await hana.page.evaluate(() => (window as unknown as { __toasts: string[] }).__toasts);
    expect(toasts.filter((t) => /camera/i.test(t))).toHaveLength(1);
    await closeAll();
  }, 120_000);

  it('a remembered device that no longer exists (or a stored value that is not one) falls back to the default with a notice', async () => {
    const hana = await open(DESKTOP);
    await hana.page.goto(`${world.server.url}/`);
    await hana.page.evaluate(() =>
      localStorage.setItem(
        'confer:media',
        JSON.stringify({ cameraId: 'a-camera-from-another-computer', microphoneId: 42, blur: 'yes' }),
      ),
    );
    await createMeetingIn(hana.page, world.server.url, 'Gone');
    const notice = hana.page.getByText(
      'The camera you chose last time is not connected: using the default camera.',
    );
    await notice.waitFor({ timeout: 10_000 });
    await expectUsable(notice, 'the notice');
    // The default camera plays, and is what is remembered now.
    const preview = hana.page.getByLabel('Your camera preview');
    await expect.poll(async () => (await picture(preview)).width, { timeout: 10_000 }).toBeGreaterThan(0);
    const stored = await hana.page.evaluate(() => JSON.parse(localStorage.getItem('confer:media') ?? '{}'));
    expect(stored.cameraId).not.toBe('a-camera-from-another-computer');
    expect(typeof stored.cameraId).toBe('string');
    expect(stored.blur).toBe(false);
    await expectUsable(hana.page.getByRole('button', { name: 'Join now' }), 'Join now');
    await closeAll();
  }, 60_000);
});

describe("you're muted", () => {
  const hint = (page: Page) => page.getByRole('button', { name: /You're muted/ });

  it('shows when the person talks with the microphone off, does not cover the controls, and unmutes on a click or Ctrl+D', async () => {
    const hana = await open(DESKTOP);
    await createMeetingIn(hana.page, world.server.url, 'Muted');
    await joinAs(hana.page, 'Hana');
    const { page } = hana;
    // Chromium's fake microphone beeps all the time: with the microphone on, no hint.
    await control(page, 'Microphone').click();
    await expect.poll(() => control(page, 'Microphone').getAttribute('aria-pressed')).toBe('false');
    await hint(page).waitFor({ timeout: 10_000 });
    expect(await hint(page).textContent()).toContain("You're muted — press Ctrl+D or click to unmute");
    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      await page.setViewportSize(viewport);
      await expectUsable(hint(page), `the hint (${size})`);
      for (const name of ['Microphone', 'Camera', 'Leave'])
        await expectUsable(control(page, name), `${name} beside the hint (${size})`);
      await page.screenshot({ path: `${RESULTS_DIR}/own-media-muted-hint-${size}.png` });
    }
    await hint(page).click();
    await expect.poll(() => control(page, 'Microphone').getAttribute('aria-pressed')).toBe('true');
    await hint(page).waitFor({ state: 'detached' });

    await page.keyboard.press('Control+d');
    await hint(page).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Control+d');
    await expect.poll(() => control(page, 'Microphone').getAttribute('aria-pressed')).toBe('true');
    await hint(page).waitFor({ state: 'detached' });
    await closeAll();
  }, 90_000);
});
