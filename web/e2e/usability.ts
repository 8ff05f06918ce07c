import type { Browser, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { openMeetingPage } from './page-helpers';

/** What a person can see and use, rather than what merely exists in the page. */

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The element is on screen, inside the viewport, and nothing covers its centre: a click or tap
 * there reaches it (`document.elementFromPoint` is the element or inside it).
 */
export async function usable(target: Locator): Promise<{ ok: boolean; why: string }> {
  if ((await target.count()) !== 1) return { ok: false, why: `${await target.count()} matches` };
  if (!(await target.isVisible())) return { ok: false, why: 'not visible' };
  return target.evaluate((el) => {
    // A link that wraps has one box per line: its first line must be reachable.
    const box = el.getClientRects()[0] ?? el.getBoundingClientRect();
    const x = box.left + box.width / 2;
    const y = box.top + box.height / 2;
    if (box.width < 1 || box.height < 1) return { ok: false, why: 'zero size' };
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight)
      return { ok: false, why: `centre (${x}, ${y}) outside the ${innerWidth}x${innerHeight} viewport` };
    const top = document.elementFromPoint(x, y);
    if (top && (top === el || el.contains(top))) return { ok: true, why: '' };
    const cover = top
      ? `${top.tagName.toLowerCase()}.${[...top.classList].join('.')} "${(top.textContent ?? '').slice(0, 60)}"`
      : 'nothing';
    return { ok: false, why: `covered at its centre by ${cover}` };
  });
}

/** Fails with what covers it (or why it cannot be used), waiting a little for animations. */
export async function expectUsable(target: Locator, what: string): Promise<void> {
  let last = { ok: false, why: '' };
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    last = await usable(target);
    if (last.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  expect(last.ok, `${what} must be visible and not covered: ${last.why}`).toBe(true);
}

export interface NewMeeting {
  meetingId: string;
  url: string;
  hostToken: string;
}

/**
 * Creates a meeting through the REST API from a page of the server's origin and keeps its host
 * token in that tab, as the home page does; the page then opens the meeting's link.
 */
export async function createMeetingIn(
  page: Page,
  serverUrl: string,
  title: string,
  settings: { waitingRoom?: boolean; passcode?: string } = {},
): Promise<NewMeeting> {
  await page.goto(`${serverUrl}/`);
  const created = await page.evaluate(
    async ({ title, settings }) => {
      const res = await fetch('/meetings', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          title,
          settings: {
            waitingRoom: settings.waitingRoom ?? false,
            muteOnEntry: false,
            videoOffOnEntry: false,
            maxParticipants: 100,
            ...(settings.passcode ? { passcode: settings.passcode } : {}),
          },
        }),
      });
      const body = (await res.json()) as { meetingId: string; hostToken: string };
      sessionStorage.setItem(`confer:host:${body.meetingId}`, body.hostToken);
      return body;
    },
    { title, settings },
  );
  const url = `${serverUrl}/m/${created.meetingId}`;
  await page.goto(url);
  return { meetingId: created.meetingId, url, hostToken: created.hostToken };
}

/** A person with their own browser context at the given size. */
export const person = (browser: Browser, viewport: { width: number; height: number }) =>
  openMeetingPage(browser, viewport);
