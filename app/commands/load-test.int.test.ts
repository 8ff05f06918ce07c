import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../gateways/auth/tokens';
import { LoadTestReportSchema } from '../../loadtest/report';
import { formatReport } from '../../loadtest/report-table';
import { startConferProcess, TEST_AUTH_SECRET, type ConferProcess } from '../../test/support/confer-process';
import { freePort } from '../../test/support/free-port';

const run = promisify(execFile);
/** The load tester as an operator runs it: `node bin/confer.mjs load-test …`, a child process. */
const loadTest = (args: string[]) =>
  run(process.execPath, ['bin/confer.mjs', 'load-test', ...args], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/root',
      AUTH_SECRET: TEST_AUTH_SECRET,
    },
    timeout: 60_000,
  });
const failure = (args: string[]) =>
  loadTest(args).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

// Concurrent: the refusals need no server and overlap the media run (the whole file stays under a minute).
describe.concurrent('npx confer load-test', () => {
  let server: ConferProcess;
  beforeAll(async () => {
    server = await startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      ...(process.env['MEDIASOUP_WORKER_BIN']
        ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
        : {}),
    });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('publishes, receives and chats through the SFU, reports it all, and ends its meeting', async () => {
    const { stdout } = await loadTest([
      '--url',
      server.url,
      '--meetings',
      '1',
      '--publishers',
      '1',
      '--subscribers',
      '4',
      // Two decode (libwebrtc: first frame, latency); two receive without decoding (werift), one
      // on the main thread and one on a subscriber thread
      '--decoders',
      '2',
      '--threads',
      '1',
      // Long enough for a steady window (3 s after the last join, at least 3 s) on a busy machine
      '--duration',
      '12s',
      '--chat-rate',
      '4',
      '--join-rate',
      '10',
      '--json',
    ]);
    const report = LoadTestReportSchema.parse(JSON.parse(stdout));
    expect(report.clients).toMatchObject({ planned: 5, joined: 5, failed: 0, withMedia: 4 });
    expect(report.settings).toMatchObject({ decodersPerMeeting: 2, subscriberThreads: 1 });
    expect(report.errors).toEqual([]);
    // Both kinds crossed the SFU: the two subscribers together receive more than the one publisher's top layer
    expect(report.media.audio.packetsReceived).toBeGreaterThan(0);
    expect(report.media.video.packetsReceived).toBeGreaterThan(0);
    expect(report.media.total.receivedKbps).toBeGreaterThan(0);
    // The thread's subscriber's join time came back from its thread with the others'
    expect(report.joinMs).toMatchObject({ count: 5 });
    // Time to first frame comes from the two that decode
    expect(report.firstMediaMs.count).toBe(2);
    // One-way latency read from the pixels of decoded frames
    expect(report.videoLatencyMs.count).toBeGreaterThan(10);
    expect(report.videoLatencyMs.p50).toBeGreaterThan(0);
    // Chat: every message is delivered to the four members that did not send it, the one on the
    // subscriber thread included (timed on the process's clock, which every thread shares)
    expect(report.chat.sent).toBeGreaterThan(5);
    expect(report.chat.delivered).toBeGreaterThanOrEqual(4 * (report.chat.sent - 4)); // the last second may be in flight
    expect(report.chat.latencyMs.p50).toBeGreaterThan(0);
    expect(report.chat.latencyMs.p99).toBeGreaterThanOrEqual(report.chat.latencyMs.p50!);
    // Both sides' CPU: the server's from its /metrics (operator token minted with AUTH_SECRET), its worker from /proc
    expect(report.resources.server.source).toBe('/metrics');
    expect(report.resources.server.cpuCores).toBeGreaterThan(0);
    expect(report.resources.sfuWorkers?.workers).toBe(1);
    expect(report.resources.tester.cpuCores).toBeGreaterThan(0);
    // The tester's JavaScript thread (signaling, werift) was busy some of the time, never more than all of it
    expect(report.resources.tester.eventLoopBusy).toBeGreaterThan(0);
    expect(report.resources.tester.eventLoopBusy).toBeLessThanOrEqual(1);
    // Forwarding cost: the worker's CPU over the packets the subscribers received, both over the
    // steady window (from 3 s after the last join to the end), as LiveKit's tester measures
    const received = report.media.total.packetsReceived;
    const steady = report.resources.steady!;
    expect(report.forwarding).toMatchObject({ window: 'steady', seconds: steady.seconds });
    expect(steady.seconds).toBeGreaterThan(2);
    expect(steady.workerCpuSeconds).toBeLessThan(report.resources.sfuWorkers!.cpuSeconds!);
    expect(report.forwarding!.packetsForwarded).toBeGreaterThan(0);
    expect(report.forwarding!.packetsForwarded).toBeLessThan(received);
    expect(report.forwarding?.workerUsPerPacket).toBeCloseTo(
      (steady.workerCpuSeconds! * 1e6) / report.forwarding!.packetsForwarded,
      1,
    );
    expect(report.forwarding?.workerUsPerPacket).toBeGreaterThan(0);
    expect(report.forwarding?.serverUsPerPacket).toBeGreaterThan(report.forwarding!.workerUsPerPacket!);
    // Every client's peer connection says which SRTP suite it negotiated (the cost per packet depends on it)
    expect(Object.values(report.media.srtpCiphers).reduce((a, b) => a + b, 0)).toBe(5);
    expect(Object.keys(report.media.srtpCiphers).every((c) => /AES/.test(c))).toBe(true);
    // werift offers AES-GCM (the libwebrtc build here does not): the non-decoding subscribers took it
    expect(report.media.srtpCiphers['AEAD_AES_128_GCM']).toBe(2);
    expect(report.cleanup).toMatchObject({ meetingsEnded: 1, meetingsCreated: 1 });
    // The meeting really ended on the server
    const meeting = await fetch(`${server.url}/meetings/${report.cleanup.meetingIds[0]}`);
    expect(((await meeting.json()) as { status: string }).status).toBe('ended');
    // What an operator reads without --json: the same figures as tables
    const table = formatReport(report);
    expect(table).toContain(`| video | ${String(report.media.video.packetsSent).padStart(12)} |`);
    expect(table).toMatch(/\| chat \(send → received by others\) +\| +\d+ \| +[\d.]+ ms \|/);
    expect(table).toMatch(
      /\| load tester \(this process; busiest JS thread \d+ % busy\) +\| +\d+ % of a core \|/,
    );
    expect(table).toMatch(/\| SFU workers, µs per forwarded packet +\| +[\d.]+ \|/);
    expect(table).toMatch(/^SRTP: [A-Z0-9_]+ \(3\), AEAD_AES_128_GCM \(2\)/m);
    expect(table).toContain('(1 publisher(s) + 4 subscriber(s), 2 decoding, the others on 2 threads)');
    expect(table).toMatch(/\| packets forwarded in the steady \d+ s \(per second\) +\|/);
    expect(table).toContain('Cleanup: 1/1 meeting(s) ended.');
  });

  it('names every bad argument and exits 2', async () => {
    const cases = [
      [['--meetings', '0'], '--meetings'],
      [['--duration', 'forever'], '--duration'],
      [['--resolution', '4k'], '--resolution'],
      [['--publishers', '1', '--speakers', '3'], '--speakers'],
    ] as const;
    const results = await Promise.all(cases.map(([args]) => failure([...args])));
    for (const [i, [args, option]] of cases.entries()) {
      expect(results[i]!.code, args.join(' ')).toBe(2);
      expect(results[i]!.stderr).toContain(`${option}:`);
    }
  });

  it('refuses a target that is not on loopback without --allow-remote, before any connection', async () => {
    const result = await failure(['--url', 'http://192.0.2.10:3000', '--duration', '5s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--url: 192\.0\.2\.10:3000 is not on loopback; pass --allow-remote/);
  });

  it('counts a server that refuses connections as errors by code, and ends', async () => {
    const port = await freePort();
    const result = await failure(['--url', `http://127.0.0.1:${port}`, '--duration', '2s', '--json']);
    // A hang would be killed by execFile's timeout (code null): exit 1 means it ended by itself, nobody joined
    expect(result.code).toBe(1);
    const report = LoadTestReportSchema.parse(JSON.parse(result.stdout));
    expect(report.clients.joined).toBe(0);
    expect(report.errors.map((e) => e.code)).toContain('CONNECTION_REFUSED');
  });

  it('counts a server that dies mid-run as dropped clients by code, and still reports and ends', async () => {
    const doomed = await startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
    });
    try {
      const running = failure(['--url', doomed.url, '--subscribers', '1', '--duration', '8s', '--json']);
      // Killed once media flows (the SFU holds both producers and both consumers; polled, so a slow
      // machine cannot kill it too early)
      const operator = await createTokenService({
        secret: TEST_AUTH_SECRET,
        participantTtlSeconds: 600,
      }).issueCredential({
        role: 'operator',
        ttlSeconds: 600,
      });
      const count = (text: string, object: string) =>
        Number(
          new RegExp(`confer_sfu_objects\\{[^}]*object="${object}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0,
        );
      for (let waited = 0; waited < 40_000; waited += 250) {
        const text = await fetch(`${doomed.url}/metrics`, {
          headers: { authorization: `Bearer ${operator}` },
        }).then((r) => r.text());
        if (count(text, 'producers') >= 2 && count(text, 'consumers') >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      await doomed.kill();
      const result = await running;
      const report = LoadTestReportSchema.parse(JSON.parse(result.stdout));
      expect(report.clients.joined).toBe(2);
      const codes = report.errors.map((e) => e.code);
      expect(codes).toContain('DISCONNECTED');
      expect(codes).toContain('CONNECTION_REFUSED'); // ending the meeting found nobody there
      expect(report.cleanup.meetingsEnded).toBe(0);
    } finally {
      await doomed.dispose();
    }
  });
});
