import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser';
import { api } from '../test/support/confer-client';
import type { ConferProcess } from '../test/support/confer-process';
import { startMediaServer } from '../web/e2e/media-server';
import { ensureWebClientBuilt } from '../web/e2e/web-build';

/**
 * What the client's effects cost in the browser: one person in a meeting (Debian's Chromium,
 * fake camera and microphone, the real SFU receiving), `seconds` each with effects off, blur on,
 * noise suppression on, and both. Measured two ways, as deltas over each window:
 * - CPU time of Chromium's processes by type (CDP `SystemInfo.getProcessInfo`): the renderer runs
 *   the page, the segmentation wasm and the AudioWorklet; "all" adds the GPU process (software
 *   compositing here), the audio and network services and the browser process;
 * - the page's main-thread task time (CDP `Performance.getMetrics`, `TaskDuration`): wall time
 *   inside tasks, waits for the GPU process included (the segmenter reads its mask back).
 * Both in % of one core. The machine is shared: compare rows of one run, not runs.
 */
export interface EffectsCpuRow {
  effects: string;
  rendererPct: number;
  /** The GPU process: here (no GPU) WebGL runs in software there, the segmenter's graph included. */
  gpuPct: number;
  allProcessesPct: number;
  mainThreadPct: number;
  /** Every process type's share, as Chromium names them. */
  byTypePct: Record<string, number>;
}

type Effects = { blur: boolean; noiseSuppression: boolean };

const SCENARIOS: { name: string; effects: Effects }[] = [
  { name: 'off (baseline)', effects: { blur: false, noiseSuppression: false } },
  { name: 'background blur', effects: { blur: true, noiseSuppression: false } },
  { name: 'noise suppression', effects: { blur: false, noiseSuppression: true } },
  { name: 'both', effects: { blur: true, noiseSuppression: true } },
];

export async function benchClientEffects(options: { seconds: number }): Promise<EffectsCpuRow[]> {
  ensureWebClientBuilt();
  let server: ConferProcess | undefined;
  let browser: Browser | undefined;
  try {
    [server, browser] = await Promise.all([startMediaServer(), launchBrowser()]);
    const { meetingId } = await api(server.url).createMeeting({ title: 'Effects benchmark' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/m/${meetingId}`);
    await page.getByLabel('Your name').fill('Bench');
    await page.getByRole('button', { name: 'Join now' }).click();
    await page.waitForFunction(
      () => (window.__confer?.state()['media'] as { status?: string } | undefined)?.status === 'ready',
      undefined,
      { timeout: 60_000 },
    );
    const browserCdp = await browser.newBrowserCDPSession();
    const pageCdp = await context.newCDPSession(page);
    await pageCdp.send('Performance.enable');

    // Opened once and left open (its switches are what setEffects clicks).
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByRole('dialog', { name: 'Settings' }).waitFor();
    const rows: EffectsCpuRow[] = [];
    for (const scenario of SCENARIOS) {
      await setEffects(page, scenario.effects);
      await sleep(3000); // settle: models loaded, encoder adapted
      const before = await sample(browserCdp, pageCdp);
      await sleep(options.seconds * 1000);
      const after = await sample(browserCdp, pageCdp);
      const wall = (after.at - before.at) / 1000;
      const pct = (seconds: number) => Math.round((seconds / wall) * 1000) / 10;
      rows.push({
        effects: scenario.name,
        rendererPct: pct(after.renderer - before.renderer),
        gpuPct: pct(after.gpu - before.gpu),
        allProcessesPct: pct(after.all - before.all),
        mainThreadPct: pct(after.mainThread - before.mainThread),
        byTypePct: Object.fromEntries(
          Object.entries(after.byType).map(([type, cpu]) => [type, pct(cpu - (before.byType[type] ?? 0))]),
        ),
      });
    }
    return rows;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.dispose();
  }
}

/**
 * Through the settings dialog's switches, clicked from inside the page: with blur running on
 * this machine's software WebGL the page's main thread is nearly always busy, and playwright's
 * own clicks (which wait for animation frames) time out. The tests click them as a person does.
 * Resolves once the effects run (or stopped).
 */
async function setEffects(page: Page, wanted: Effects): Promise<void> {
  await page.evaluate((w) => {
    const switches = Array.from(document.querySelectorAll<HTMLInputElement>('.dialog input[role="switch"]'));
    for (const input of switches) {
      const on = input.name === 'blur' ? w.blur : w.noiseSuppression;
      if (input.checked !== on) input.click();
    }
  }, wanted);
  await page.waitForFunction(
    (w) => {
      const effects = (window.__confer?.state()['local'] as { effects?: Effects } | undefined)?.effects;
      return effects?.blur === w.blur && effects.noiseSuppression === w.noiseSuppression;
    },
    wanted,
    { timeout: 120_000 },
  );
}

async function sample(browserCdp: CDPSession, pageCdp: CDPSession) {
  const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; cpuTime: number }[];
  };
  const { metrics } = await pageCdp.send('Performance.getMetrics');
  return {
    at: Date.now(),
    renderer: processInfo.filter((p) => p.type === 'renderer').reduce((s, p) => s + p.cpuTime, 0),
    gpu: processInfo.filter((p) => /^gpu/i.test(p.type)).reduce((s, p) => s + p.cpuTime, 0),
    byType: processInfo.reduce<Record<string, number>>(
      (m, p) => ({ ...m, [p.type]: (m[p.type] ?? 0) + p.cpuTime }),
      {},
    ),
    all: processInfo.reduce((s, p) => s + p.cpuTime, 0),
    mainThread: metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0,
  };
}
