import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../gateways/auth/tokens';
import type { AnalyticsRecord } from '../../pipelines/analytics/records';
import { launchBrowser } from '../../test/support/browser';
import { api } from '../../test/support/confer-client';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';
import { eventually } from '../../test/support/eventually';
import { joinAs, openMeetingPage } from './page-helpers';
import { ensureWebClientBuilt } from './web-build';

/**
 * The web client reports what its browser measures: two people with fake cameras meet through the
 * SFU, and each one's time to the first remote frame and a getStats quality sample (every 10 s)
 * reach the analytics stream, beside the SFU's own samples.
 */
let server: ConferProcess;
let browser: Browser;

beforeAll(async () => {
  ensureWebClientBuilt();
  [server, browser] = await Promise.all([
    startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
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

describe('client reports from the web client', () => {
  it('sends the first remote frame time and getStats quality samples to the analytics stream', async () => {
    const meeting = await api(server.url).createMeeting({ title: 'Reports' });
    const people = await Promise.all([
      openMeetingPage(browser, { width: 1280, height: 800 }),
      openMeetingPage(browser, { width: 1280, height: 800 }),
    ]);
    const ids: string[] = [];
    for (const [i, person] of people.entries()) {
      await person.page.goto(`${server.url}/m/${meeting.meetingId}`);
      ids.push(await joinAs(person.page, i === 0 ? 'Ann' : 'Bob'));
    }
    const analyst = await createTokenService({
      secret: TEST_AUTH_SECRET,
      participantTtlSeconds: 60,
    }).issueCredential({
      role: 'analyst',
      ttlSeconds: 600,
    });
    const records = await eventually(
      'a first frame and a client quality sample from each person',
      async () => {
        const res = await api(server.url).call<{ records: Array<{ record: AnalyticsRecord }> }>(
          'GET',
          `/analytics/events?meeting=${meeting.meetingId}&limit=1000`,
          undefined,
          analyst,
        );
        const all = res.body.records.map((r) => r.record);
        const has = (type: string, id: string, origin?: string) =>
          all.some(
            (r) =>
              r.type === type &&
              'participantId' in r.data &&
              r.data.participantId === id &&
              (origin === undefined || ('origin' in r.data && r.data.origin === origin)),
          );
        return (
          ids.every(
            (id) => has('confer.first-frame.v1', id) && has('confer.quality.sample.v1', id, 'client'),
          ) && all
        );
      },
      { timeoutMs: 110_000, intervalMs: 1000 },
    );
    const client = records.filter((r) => r.type === 'confer.quality.sample.v1' && r.data.origin === 'client');
    for (const sample of client) {
      if (sample.type !== 'confer.quality.sample.v1') continue;
      expect(sample.data.receivedKbps).toBeGreaterThan(0);
      expect(sample.data.rttMs).not.toBeNull();
    }
    const frames = records.filter((r) => r.type === 'confer.first-frame.v1');
    for (const f of frames) if (f.type === 'confer.first-frame.v1') expect(f.data.ms).toBeGreaterThan(0);
    // The SFU samples the same people on its side.
    expect(records.some((r) => r.type === 'confer.quality.sample.v1' && r.data.origin === 'sfu')).toBe(true);
    for (const person of people) await person.context.close();
  }, 240_000);
});
