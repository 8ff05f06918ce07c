import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import { api, connect, request, type ClientSocket } from '../../test/support/confer-client';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';
import { eventually } from '../../test/support/eventually';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/**
 * An auditor opens /audit/{meetingId} in Chromium, pastes the credential an operator minted, and
 * moves the timeline's slider: what the page shows at each position is what the meeting was then.
 * At desktop and phone sizes, every control used is visible and not covered.
 */
const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');

let server: ConferProcess;
let browser: Browser;
let meetingId: string;
let auditor: string;
const sockets: ClientSocket[] = [];
/** Revisions of the scripted moments, read back from the timeline. */
let revisions: { boWaiting: number; chat: number; removed: number; head: number };

beforeAll(async () => {
  ensureWebClientBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  [server, browser] = await Promise.all([
    startConferProcess({ AUDIT_CHECKPOINT_SECONDS: '1' }),
    launchBrowser(),
  ]);
  const client = api(server.url);
  const created = await client.createMeeting({ title: 'Quarterly board', settings: { waitingRoom: true } });
  meetingId = created.meetingId;
  const minted = await run(
    process.execPath,
    ['bin/confer.mjs', 'token', 'create', '--role', 'auditor', '--meeting', meetingId],
    {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', ...server.env },
    },
  );
  auditor = minted.stdout.trim();

  const ada = await client.join(meetingId, 'Ada Lovelace', { hostToken: created.hostToken });
  const adaSocket = await connect(ada);
  sockets.push(adaSocket);
  await request(adaSocket, 'join', {});
  const bo = await client.join(meetingId, 'Bo Diddley');
  const boSocket = await connect(bo);
  sockets.push(boSocket);
  await request(boSocket, 'join', {});
  await request(adaSocket, 'admit', { participantId: bo.participantId });
  await eventually('Bo admitted', async () => {
    const r = await client.call<{ participants: { displayName: string; status: string }[] }>(
      'GET',
      `/meetings/${meetingId}/participants`,
      undefined,
      created.hostToken,
    );
    return r.body.participants.some((p) => p.displayName === 'Bo Diddley' && p.status === 'joined');
  });
  await request(boSocket, 'chat', { message: 'The numbers look right to me' });
  await request(adaSocket, 'mute', { mediaType: 'video' });
  await request(adaSocket, 'remove-participant', { participantId: bo.participantId });
  await client.call('DELETE', `/meetings/${meetingId}`, undefined, created.hostToken);

  const timeline = await eventually('the signed end of the meeting', async () => {
    const t = await client.call<{ entries: { revision: number; type: string }[] }>(
      'GET',
      `/meetings/${meetingId}/audit/timeline?limit=1000`,
      undefined,
      auditor,
    );
    // A checkpoint may be signed mid-script (they come every second): wait for one that covers
    // the end, or the head read here is older than the one the page shows.
    const ended = t.body.entries.findIndex((e) => e.type === 'MeetingEnded');
    const signedAfter = t.body.entries.findIndex((e, i) => i > ended && e.type === 'AuditCheckpointSigned');
    return ended >= 0 && signedAfter > ended && t.body.entries;
  });
  const at = (type: string) => timeline.find((e) => e.type === type)!.revision;
  revisions = {
    boWaiting: at('ParticipantWaiting'),
    chat: at('ChatMessageSent'),
    removed: at('ParticipantRemoved'),
    head: timeline[timeline.length - 1]!.revision,
  };
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await browser?.close();
  await server?.dispose();
});

/** Visible, and the element at its centre is itself (or inside it): nothing covers it. */
async function expectUsable(page: Page, locator: Locator, what: string): Promise<void> {
  await locator.scrollIntoViewIfNeeded();
  expect(await locator.isVisible(), `${what} visible`).toBe(true);
  const box = await locator.boundingBox();
  expect(box, `${what} has a box`).not.toBeNull();
  const x = box!.x + box!.width / 2;
  const y = box!.y + box!.height / 2;
  const onTop = await locator.evaluate(
    (el, [px, py]) => {
      const hit = document.elementFromPoint(px!, py!);
      return hit !== null && (hit === el || el.contains(hit));
    },
    [x, y],
  );
  expect(onTop, `${what} is not covered`).toBe(true);
}

/** Moves the slider as a person would with the keyboard: to the start, then step by step. */
async function slideTo(page: Page, revision: number): Promise<void> {
  const slider = page.locator('#audit-slider');
  await slider.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < revision; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(() => page.locator('#audit-revision').textContent()).toBe(String(revision));
  // The panels show that revision (not the one before, dimmed while it loads).
  await expect
    .poll(() => page.locator(`.audit-panels[data-revision="${revision}"][data-stale="false"]`).count())
    .toBe(1);
}

const panelText = (page: Page, id: string) => page.locator(`#${id}`).innerText();

for (const size of [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 } },
]) {
  describe(`the auditor's page (${size.name})`, () => {
    it('asks for a credential, keeps it out of the URL, and replays the meeting under the slider', async () => {
      const context = await browser.newContext({ viewport: size.viewport });
      const page = await context.newPage();
      try {
        await page.goto(`${server.url}/audit/${meetingId}`);
        const field = page.getByLabel('Auditor credential');
        await expectUsable(page, field, 'credential field');
        await field.fill(auditor);
        const open = page.getByRole('button', { name: 'Open the audit' });
        await expectUsable(page, open, 'open button');
        await open.click();

        const verdict = page.locator('.audit-verdict[data-state="intact"]');
        await expect.poll(() => verdict.count(), { timeout: 15_000 }).toBe(1);
        expect(await verdict.innerText()).toMatch(/History intact[\s\S]*signed head: revision \d+/);
        expect(page.url()).not.toContain(auditor);
        expect(await page.evaluate(() => sessionStorage.getItem('confer.auditCredential'))).toBe(auditor);

        const slider = page.locator('#audit-slider');
        await expectUsable(page, slider, 'slider');
        expect(await slider.getAttribute('max')).toBe(String(revisions.head));

        // Bo knocks: Ada is in, Bo waits.
        await slideTo(page, revisions.boWaiting);
        await expect.poll(() => panelText(page, 'audit-waiting')).toContain('Bo Diddley');
        expect(await panelText(page, 'audit-roster')).toContain('Ada Lovelace');
        expect(await panelText(page, 'audit-roster')).not.toContain('Bo Diddley');
        await expect
          .poll(() => page.locator('#audit-event').innerText())
          .toBe('Bo Diddley entered the waiting room');
        // The history beside the slider marks the same event.
        await expect
          .poll(() => page.locator('.audit-timeline li[data-current="true"]').innerText())
          .toContain('Bo Diddley entered the waiting room');

        // Bo speaks: both in, one message, Ada's camera still on.
        await slideTo(page, revisions.chat);
        await expect.poll(() => panelText(page, 'audit-chat')).toContain('The numbers look right to me');
        expect(await panelText(page, 'audit-roster')).toContain('Bo Diddley');
        const adaRow = page.locator('#audit-roster .audit-person', { hasText: 'Ada Lovelace' });
        expect(await adaRow.innerText()).toContain('cam on');
        await expectUsable(page, page.locator('#audit-chat'), 'chat panel');

        // Bo removed: departed, and Ada's camera off by then.
        await slideTo(page, revisions.removed);
        await expect.poll(() => panelText(page, 'audit-departed')).toContain('Bo Diddley');
        expect(await adaRow.innerText()).toContain('cam off');
        await expectUsable(page, page.locator('#audit-roster'), 'roster panel');

        await slideTo(page, revisions.chat);
        await slider.scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(RESULTS_DIR, `audit-${size.name}.png`), fullPage: false });
      } finally {
        await context.close();
      }
    }, 90_000);
  });
}

describe('a credential that may not read the audit', () => {
  it('is refused and the form says why', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/audit/${meetingId}`);
      const analyst = await run(
        process.execPath,
        ['bin/confer.mjs', 'token', 'create', '--role', 'analyst'],
        {
          cwd: repoRoot,
          env: { PATH: process.env['PATH'] ?? '', ...server.env },
        },
      );
      await page.getByLabel('Auditor credential').fill(analyst.stdout.trim());
      await page.getByRole('button', { name: 'Open the audit' }).click();
      await expect.poll(() => page.getByRole('alert').innerText()).toContain('CONFER_FORBIDDEN');
      expect(await page.evaluate(() => sessionStorage.getItem('confer.auditCredential'))).toBeNull();
    } finally {
      await context.close();
    }
  }, 60_000);
});
