import { loadavg } from 'node:os';
import type * as Mediasoup from 'mediasoup';
import { LoadTestReportSchema, type LoadTestReport } from '../loadtest/report';
import { startConferProcess } from '../test/support/confer-process';
import { BROWSER_SRTP_SUITE, srtpSuiteNamed } from '../media/testing/synthetic-rtp';
import { benchBareLike, type ForwardingRow } from './forwarding';
import type { LiveKitRow } from './livekit-forwarding';
import { runLoadTestProcess } from './load-test-process';
import { round } from './stats';

/**
 * Issue 16 item 2, by the load tester's method: one publisher, N subscribers of its 720p stream,
 * real WebRTC clients (`confer load-test`: ICE, DTLS, SRTP, RTCP and transport-wide congestion
 * feedback, as LiveKit's `lk load-test` measures it), the server's CPU over the steady window
 * divided by the packets the subscribers received in it. The subscribers receive without decoding
 * (werift), as lk load-test's do, so one tester carries a hundred. Beside each, in the same run:
 * LiveKit forwarding the same kind of stream to N pion subscribers (when Go is here to build it),
 * and the bare worker forwarding the same packet rate and size to N SRTP PlainTransports (no
 * feedback), the floor the full server is read against.
 */

export interface LoadTestForwardingOptions {
  subscriberCounts: number[];
  /** Each load test's length, joins included. */
  seconds: number;
  /** The bare worker's measured window. */
  bareSeconds: number;
  budgets: Record<string, string>;
  /** Subscribers that decode (libwebrtc) among the N; the rest receive without decoding. */
  decoders: number;
  /** Subscriber threads beside the tester's main one (`confer load-test --threads`). */
  threads: number;
  /** LiveKit at the same N (bench/livekit-forwarding.ts), or the reason it is not measured. */
  liveKit: ((subscribers: number) => Promise<LiveKitRow>) | { unavailable: string };
  onProgress(line: string): void;
}

export interface LoadTestForwardingRow {
  subscribers: number;
  loadAverage: number;
  report: LoadTestReport | { unreadable: string };
  liveKit: LiveKitRow | { unavailable: string };
  bare: ForwardingRow | null;
}

export async function benchLoadTestForwarding(
  mediasoup: typeof Mediasoup,
  options: LoadTestForwardingOptions,
): Promise<LoadTestForwardingRow[]> {
  const rows: LoadTestForwardingRow[] = [];
  for (const n of options.subscriberCounts) {
    options.onProgress(
      `forwarding by confer load-test: 1 publisher (720p) → ${n} subscribers, ${options.seconds} s`,
    );
    const confer = await startConferProcess({
      MEDIA: 'true',
      MEDIA_WORKERS: '1',
      MEDIA_LISTEN_IP: '127.0.0.1',
      ...options.budgets,
      ...(process.env['MEDIASOUP_WORKER_BIN']
        ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
        : {}),
    });
    let raw: unknown;
    try {
      raw = await runLoadTestProcess(
        confer,
        [
          '--meetings=1',
          '--publishers=1',
          `--subscribers=${n}`,
          `--decoders=${options.decoders}`,
          `--threads=${options.threads}`,
          '--resolution=high',
          '--no-simulcast',
          '--speakers=1',
          '--chat-rate=0',
          '--join-rate=20',
          `--duration=${options.seconds}s`,
        ],
        options.onProgress,
      );
    } finally {
      await confer.dispose();
    }
    const parsed = LoadTestReportSchema.safeParse(raw);
    const report = parsed.success ? parsed.data : { unreadable: JSON.stringify(raw).slice(0, 2000) };
    let bare: ForwardingRow | null = null;
    const forwarded = parsed.success ? parsed.data.forwarding : null;
    if (parsed.success && forwarded) {
      // The SRTP suite the load tester's subscribers negotiated: the bare worker pays the same per packet.
      const negotiated = Object.entries(parsed.data.media.srtpCiphers).sort((a, b) => b[1] - a[1])[0]?.[0];
      bare = await benchBareLike(
        mediasoup,
        {
          subscribers: parsed.data.clients.withMedia,
          packetsPerSecond: forwarded.packetsPerSecond,
          kbps: parsed.data.media.total.receivedKbps,
        },
        {
          seconds: options.bareSeconds,
          srtp: srtpSuiteNamed(negotiated) ?? BROWSER_SRTP_SUITE,
          onProgress: options.onProgress,
        },
      );
    }
    const loadAverage = round(loadavg()[0]!, 2);
    let liveKit: LoadTestForwardingRow['liveKit'] = { unavailable: 'not measured' };
    if (typeof options.liveKit !== 'function') liveKit = options.liveKit;
    else {
      options.onProgress(`LiveKit: 1 publisher (720p VP8 + audio) → ${n} pion subscribers`);
      liveKit = await options.liveKit(n).catch((error: unknown) => ({
        unavailable: error instanceof Error ? error.message : String(error),
      }));
    }
    rows.push({ subscribers: n, loadAverage, report, liveKit, bare });
  }
  return rows;
}
