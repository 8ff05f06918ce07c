import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import type { ConferProcess } from '../../test/support/confer-process';
import { startMediaServer } from './media-server';
import { person } from './usability';
import { ensureWebClientBuilt, RESULTS_DIR } from './web-build';

/** What a browser test file shares: one Confer with its SFU, one Chromium, the people it opened. */
export interface BrowserWorld {
  readonly server: ConferProcess;
  readonly browser: Browser;
  /** A new person (their own browser context) with a window of that size. */
  open(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }>;
  /** Everyone opened so far leaves (their contexts close). */
  closeAll(): Promise<void>;
}

/**
 * Registers the file's beforeAll/afterAll: the web client built, Confer started with media on
 * loopback (`env` on top) beside Chromium, both stopped at the end.
 */
export function browserWorld(env: Record<string, string> = {}): BrowserWorld {
  let server: ConferProcess | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`the browser world's ${what} has not started`);
    return value;
  };

  beforeAll(async () => {
    ensureWebClientBuilt();
    mkdirSync(RESULTS_DIR, { recursive: true });
    [server, browser] = await Promise.all([startMediaServer(env), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  return {
    get server() {
      return started('server', server);
    },
    get browser() {
      return started('browser', browser);
    },
    async open(viewport) {
      const opened = await person(started('browser', browser), viewport);
      contexts.push(opened.context);
      return opened;
    },
    async closeAll() {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
    },
  };
}
