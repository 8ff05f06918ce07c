import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { joinAs } from './page-helpers';
import { createMeetingIn, DESKTOP, expectUsable, PHONE } from './usability';
import { RESULTS_DIR } from './web-build';
import { browserWorld } from './browser-world';

/**
 * The host's side of issue 15, as people see it: a leaving host hands the role on (defect 4), a
 * removed person stays out until let back (defect 7), and the host tools (co-host, mute all, ask
 * to unmute, camera off, lock), each control visible and not covered on a desktop and a phone,
 * each effect seen by the other person.
 */

const world = browserWorld({
  RECONNECT_GRACE_SECONDS: '30',
});
const { open, closeAll } = world;

const control = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
const phase = (page: Page) => page.evaluate(() => window.__confer?.state()['phase']);
const peoplePanel = (page: Page) => page.getByRole('complementary', { name: 'People' });
const row = (page: Page, participantId: string) =>
  peoplePanel(page).locator(`.people-list [data-participant-id="${participantId}"]`);

/** Someone opens the link and asks to join; resolves once the waiting room shows. */
async function knock(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join now' }).click();
  await page
    .getByRole('heading', { name: 'Waiting for the host to let you in' })
    .waitFor({ timeout: 30_000 });
}

/** Opens the person's host menu in the People panel (the row's actions show on hover, as for a mouse). */
async function openMenu(page: Page, participantId: string, name: string, size: string): Promise<void> {
  await row(page, participantId).hover();
  const more = row(page, participantId).getByRole('button', { name: `More actions for ${name}` });
  await expectUsable(more, `More actions for ${name} (${size})`);
  if ((await more.getAttribute('aria-expanded')) !== 'true') await more.click();
}

async function useMenu(page: Page, participantId: string, name: string, action: string, size: string) {
  await openMenu(page, participantId, name, size);
  const button = row(page, participantId).getByRole('button', { name: action });
  await expectUsable(button, `${action} (${size})`);
  await button.click();
}

describe('defect 4: a host who leaves hands the role on', () => {
  it('asks whom to make host (desktop and phone), and the new host admits the person waiting', async () => {
    const host = await open(DESKTOP);
    const meeting = await createMeetingIn(host.page, world.server.url, 'Hand over', { waitingRoom: true });
    await joinAs(host.page, 'Hana');
    const ann = await open(PHONE);
    await knock(ann.page, meeting.url, 'Ann');
    const requests = host.page.getByRole('region', { name: 'Waiting room requests' });
    await requests.getByRole('button', { name: 'Admit', exact: true }).click();
    await expect.poll(() => phase(ann.page), { timeout: 15_000 }).toBe('joined');
    const wes = await open(DESKTOP);
    await knock(wes.page, meeting.url, 'Wes');
    await expect.poll(() => requests.textContent(), { timeout: 10_000 }).toContain('Wes is waiting to join');

    const dialog = host.page.getByRole('dialog', { name: 'Leave the meeting?' });
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await host.page.setViewportSize(viewport);
      await control(host.page, 'Leave').click();
      await dialog.waitFor();
      // The longest-present participant is offered by default.
      expect(await dialog.getByLabel('New host').inputValue()).toBe(
        await ann.page.evaluate(() => window.__confer!.participantId!),
      );
      await expectUsable(dialog.getByLabel('New host'), `the new-host choice (${size})`);
      for (const name of ['Leave and make Ann host', 'End meeting for all', 'Cancel'])
        await expectUsable(dialog.getByRole('button', { name, exact: true }), `${name} (${size})`);
      if (size === 'desktop') {
        await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
        await dialog.waitFor({ state: 'detached' });
      }
    }
    await host.page.screenshot({ path: `${RESULTS_DIR}/host-leave-dialog-phone.png` });
    await dialog.getByRole('button', { name: 'Leave and make Ann host', exact: true }).click();
    await expect.poll(() => phase(host.page)).toBe('left');

    // Ann, on a phone, is told, is shown as host, and admits Wes from her own prompt.
    await ann.page.locator('.toast').filter({ hasText: 'You are now the host' }).waitFor({ timeout: 10_000 });
    const annRequests = ann.page.getByRole('region', { name: 'Waiting room requests' });
    await expect
      .poll(() => annRequests.textContent(), { timeout: 10_000 })
      .toContain('Wes is waiting to join');
    const admit = annRequests.getByRole('button', { name: 'Admit', exact: true });
    await expectUsable(admit, "Admit on the new host's phone");
    await ann.page.screenshot({ path: `${RESULTS_DIR}/host-new-host-phone.png` });
    await admit.click();
    await expect.poll(() => phase(wes.page), { timeout: 15_000 }).toBe('joined');
    // Everyone sees who the host is now.
    await control(wes.page, 'People').click();
    const annId = await ann.page.evaluate(() => window.__confer!.participantId!);
    await expect.poll(() => row(wes.page, annId).getAttribute('aria-label')).toContain('Ann, host');
    await closeAll();
  }, 150_000);
});

describe('defect 7: a removed person stays out until let back', () => {
  it('refuses them through the same link with a clear message; the host lets them back; they join', async () => {
    const host = await open(DESKTOP);
    const meeting = await createMeetingIn(host.page, world.server.url, 'Stay out');
    await joinAs(host.page, 'Hana');
    const eve = await open(DESKTOP);
    await eve.page.goto(meeting.url);
    const eveId = await joinAs(eve.page, 'Eve');

    await control(host.page, 'People').click();
    await row(host.page, eveId).hover();
    await row(host.page, eveId).getByRole('button', { name: 'Remove Eve' }).click();
    await host.page.getByRole('button', { name: 'Confirm removing Eve' }).click();
    await eve.page
      .getByRole('heading', { name: 'You were removed from the meeting' })
      .waitFor({ timeout: 10_000 });

    // Straight back through the link (a reload of the meeting's page): refused, and told why.
    await eve.page.goto(meeting.url);
    await eve.page.getByLabel('Your name').fill('Eve');
    await eve.page.getByRole('button', { name: 'Join now' }).click();
    const refusal = eve.page.getByRole('alert').filter({ hasText: 'The host removed you from this meeting' });
    await refusal.waitFor({ timeout: 10_000 });
    await expectUsable(refusal, 'the refusal');
    await eve.page.screenshot({ path: `${RESULTS_DIR}/host-removed-refused.png` });

    // The host lets her back from the People panel, on a desktop and on a phone.
    const allow = peoplePanel(host.page).getByRole('button', { name: 'Allow Eve back' });
    await expectUsable(allow, 'Allow Eve back (desktop)');
    await host.page.setViewportSize(PHONE);
    await expectUsable(allow, 'Allow Eve back (phone)');
    await allow.click();
    await allow.waitFor({ state: 'detached' });
    await eve.page.getByRole('button', { name: 'Join now' }).click();
    await expect.poll(() => phase(eve.page), { timeout: 30_000 }).toBe('joined');
    await closeAll();
  }, 120_000);
});

describe('host tools', () => {
  for (const [size, hostViewport, guestViewport] of [
    ['desktop', DESKTOP, PHONE],
    ['phone', PHONE, DESKTOP],
  ] as const) {
    it(`co-host, mute all, ask to unmute, camera off and lock work from a ${size}, and the other person sees each`, async () => {
      const host = await open(hostViewport);
      const meeting = await createMeetingIn(host.page, world.server.url, `Host tools (${size})`);
      await joinAs(host.page, 'Hana');
      const bob = await open(guestViewport);
      await bob.page.goto(meeting.url);
      const bobId = await joinAs(bob.page, 'Bob');
      await control(host.page, 'People').click();
      await row(host.page, bobId).waitFor();
      const panel = peoplePanel(host.page);

      // Mute all: Bob's microphone goes off and he is told; he may turn it on again himself.
      await expect.poll(() => control(bob.page, 'Microphone').getAttribute('aria-pressed')).toBe('true');
      const muteAll = panel.getByRole('button', { name: 'Mute all' });
      await expectUsable(muteAll, `Mute all (${size})`);
      await muteAll.click();
      await bob.page
        .locator('.toast')
        .filter({ hasText: 'The host muted your microphone' })
        .waitFor({ timeout: 10_000 });
      await expect.poll(() => control(bob.page, 'Microphone').getAttribute('aria-pressed')).toBe('false');

      // Ask to unmute: Bob is asked, never unmuted by force; he chooses Unmute.
      await useMenu(host.page, bobId, 'Bob', 'Ask Bob to unmute', size);
      const ask = bob.page.getByRole('alertdialog', { name: 'Request to unmute' });
      await ask.getByText('The host asks you to unmute').waitFor({ timeout: 10_000 });
      expect(await control(bob.page, 'Microphone').getAttribute('aria-pressed')).toBe('false');
      for (const name of ['Unmute', 'Dismiss'])
        await expectUsable(
          ask.getByRole('button', { name, exact: true }),
          `${name} on the request (${size === 'desktop' ? 'phone' : 'desktop'})`,
        );
      await bob.page.screenshot({ path: `${RESULTS_DIR}/host-ask-unmute-${size}.png` });
      await ask.getByRole('button', { name: 'Unmute', exact: true }).click();
      await expect.poll(() => control(bob.page, 'Microphone').getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => row(host.page, bobId).getAttribute('aria-label')).toContain('microphone on');

      // Camera off: Bob's camera goes off and he is told; he may turn it on again.
      await useMenu(host.page, bobId, 'Bob', "Turn off Bob's camera", size);
      await bob.page
        .locator('.toast')
        .filter({ hasText: 'The host turned your camera off' })
        .waitFor({ timeout: 10_000 });
      await expect.poll(() => control(bob.page, 'Camera').getAttribute('aria-pressed')).toBe('false');
      await control(bob.page, 'Camera').click();
      await expect.poll(() => control(bob.page, 'Camera').getAttribute('aria-pressed')).toBe('true');

      // Co-host: Bob is told, everyone sees the tag, and Bob gets the moderators' tools.
      await useMenu(host.page, bobId, 'Bob', 'Make Bob a co-host', size);
      await bob.page
        .locator('.toast')
        .filter({ hasText: 'You are now a co-host' })
        .waitFor({ timeout: 10_000 });
      await expect.poll(() => row(host.page, bobId).getAttribute('aria-label')).toContain('Bob, co-host');
      await control(bob.page, 'People').click();
      await expectUsable(
        peoplePanel(bob.page).getByRole('button', { name: 'Mute all' }),
        'Mute all for the co-host',
      );
      expect(await peoplePanel(bob.page).getByRole('button', { name: 'Lock meeting' }).count()).toBe(0);

      // Lock: nobody new may join; unlocking lets them.
      const lock = panel.getByRole('button', { name: 'Lock meeting' });
      await expectUsable(lock, `Lock meeting (${size})`);
      await lock.click();
      await expect.poll(() => lock.getAttribute('aria-pressed')).toBe('true');
      await bob.page
        .locator('.toast')
        .filter({ hasText: 'The meeting is locked' })
        .waitFor({ timeout: 10_000 });
      const late = await open(DESKTOP);
      await late.page.goto(meeting.url);
      await late.page.getByLabel('Your name').fill('Late');
      await late.page.getByRole('button', { name: 'Join now' }).click();
      await late.page
        .getByRole('alert')
        .filter({ hasText: 'locked this meeting' })
        .waitFor({ timeout: 10_000 });
      await host.page.screenshot({ path: `${RESULTS_DIR}/host-tools-${size}.png` });
      await lock.click();
      await expect.poll(() => lock.getAttribute('aria-pressed')).toBe('false');
      await late.page.getByRole('button', { name: 'Join now' }).click();
      await expect.poll(() => phase(late.page), { timeout: 30_000 }).toBe('joined');
      await closeAll();
    }, 150_000);
  }
});
