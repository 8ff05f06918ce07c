import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright's own download does not work offline. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that work on these machines (environment.md, "Browsers"), plus fake media devices. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // A synthetic camera (moving pattern, 640x480), a beeping microphone, and a synthetic screen for
  // getDisplayMedia; the permission prompts are accepted without a person.
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Remote audio plays without a click on each page.
  '--autoplay-policy=no-user-gesture-required',
  // Pages of one browser share two cores: do not throttle the ones in the background.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

export interface LaunchOptions {
  /** Extra command-line flags. */
  args?: string[];
}

/** Launches Debian's Chromium, headless, with fake camera, microphone and screen. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (scripts/setup.sh does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...FLAGS, ...(options.args ?? [])],
  });
}
