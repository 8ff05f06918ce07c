import { loadavg } from 'node:os';
import { labelledMetric, sumMetric } from '../loadtest/prometheus-text';
import { processTree } from '../loadtest/local-processes';
import { startConferProcess } from '../test/support/confer-process';
import { freePort } from '../test/support/free-port';
import { runLoadTestProcess } from './load-test-process';
import { round } from './stats';

/**
 * Soak: one meeting of `participants` real WebRTC clients (`confer load-test`, in a child process
 * so that its libwebrtc threads never stall the sampler) publishing media and chatting for
 * `durationMs`, while the server's own figures are sampled over time from its /metrics: RSS,
 * heap, open handles, event-loop lag, and the SFU's routers/transports/producers/consumers, plus
 * the mediasoup workers' RSS from /proc. The meeting is steady after the joins, so anything that
 * still grows between the early and the late samples is a leak.
 */

export interface SoakOptions {
  durationMs: number;
  sampleEveryMs: number;
  participants: number;
  publishers: number;
  chatPerSecond: number;
  onProgress?(line: string): void;
}

export interface SoakSample {
  atSeconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  handles: number;
  eventLoopLagP99Ms: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  workerRssMiB: number;
  loadAverage: number;
}

export interface SoakResult {
  settings: Omit<SoakOptions, 'onProgress'>;
  samples: SoakSample[];
  /** After the clients left and the meeting ended: what is still held. */
  afterCleanup: SoakSample | undefined;
  /**
   * Per figure: mean of the middle third of the steady samples and of the last third, and the
   * verdict. The first third is warm-up (the SFU's retransmission buffers fill, JIT, pools).
   */
  growth: { figure: keyof SoakSample; early: number; late: number; grows: boolean }[];
  loadTest: unknown;
}

const MiB = 1024 * 1024;

/** Figures that must not rise while nothing changes in the meeting, with the slack each gets. */
const WATCHED: { figure: keyof SoakSample; slack: (early: number) => number }[] = [
  // The heap and RSS breathe with GC: growth is a rise beyond 10 % (and a few MiB).
  { figure: 'rssMiB', slack: (early) => Math.max(8, early * 0.1) },
  { figure: 'heapUsedMiB', slack: (early) => Math.max(4, early * 0.1) },
  { figure: 'workerRssMiB', slack: (early) => Math.max(4, early * 0.1) },
  // Counts are exact: a steady meeting holds the same handles and media objects.
  { figure: 'handles', slack: () => 2 },
  { figure: 'transports', slack: () => 0 },
  { figure: 'producers', slack: () => 0 },
  { figure: 'consumers', slack: () => 0 },
];

export async function benchSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.onProgress ?? (() => undefined);
  const metricsPort = await freePort();
  const confer = await startConferProcess({
    MEDIA: 'true',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    ...(process.env['MEDIASOUP_WORKER_BIN']
      ? { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] }
      : {}),
    // glibc's allocator settings (MALLOC_TRIM_THRESHOLD_, MALLOC_ARENA_MAX, …) reach the server and
    // its mediasoup workers: to tell memory the worker holds from memory its allocator keeps.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_'))),
  });
  const t0 = performance.now();
  const sample = async (): Promise<SoakSample | undefined> => {
    const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      .then((r) => r.text())
      .catch(() => undefined);
    if (!text) return undefined;
    const workers = processTree(confer.process.pid).children.filter((c) =>
      c.name.startsWith('mediasoup-work'),
    );
    const sfu = (object: string) => labelledMetric(text, 'confer_sfu_objects', 'object', object) ?? 0;
    return {
      atSeconds: round((performance.now() - t0) / 1000, 0),
      rssMiB: round((sumMetric(text, 'process_resident_memory_bytes') ?? 0) / MiB, 1),
      heapUsedMiB: round((sumMetric(text, 'nodejs_heap_size_used_bytes') ?? 0) / MiB, 1),
      handles: sumMetric(text, 'nodejs_active_handles_total') ?? 0,
      eventLoopLagP99Ms: round((sumMetric(text, 'nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000, 1),
      routers: sfu('routers'),
      transports: sfu('transports'),
      producers: sfu('producers'),
      consumers: sfu('consumers'),
      workerRssMiB: round(workers.reduce((a, w) => a + w.rssBytes, 0) / MiB, 1),
      loadAverage: round(loadavg()[0]!, 2),
    };
  };

  const samples: SoakSample[] = [];
  let afterCleanup: SoakSample | undefined;
  let loadTest: unknown;
  try {
    const seconds = Math.round(options.durationMs / 1000);
    const tester = runLoadTestProcess(
      confer,
      [
        '--meetings=1',
        `--publishers=${options.publishers}`,
        `--subscribers=${options.participants - options.publishers}`,
        `--speakers=${Math.min(2, options.publishers)}`,
        `--duration=${seconds}s`,
        `--chat-rate=${options.chatPerSecond}`,
        '--join-rate=10',
      ],
      log,
    );
    const timer = setInterval(() => {
      void sample().then((s) => {
        if (!s) return;
        samples.push(s);
        log(
          `  soak t=${s.atSeconds}s rss ${s.rssMiB} MiB heap ${s.heapUsedMiB} MiB handles ${s.handles} ` +
            `lag p99 ${s.eventLoopLagP99Ms} ms transports ${s.transports} producers ${s.producers} ` +
            `consumers ${s.consumers} worker ${s.workerRssMiB} MiB load ${s.loadAverage}`,
        );
      });
    }, options.sampleEveryMs);
    loadTest = await tester;
    clearInterval(timer);
    // The tester has left and ended its meeting: give the server a moment to close what it held.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    afterCleanup = await sample();
  } finally {
    await confer.dispose();
  }

  // Steady state: from the first sample that holds every participant's transports.
  const full = Math.max(...samples.map((s) => s.transports));
  const steady = samples.filter((s, i) => i >= samples.findIndex((x) => x.transports === full));
  const third = Math.max(1, Math.floor(steady.length / 3));
  const mean = (list: SoakSample[], figure: keyof SoakSample) =>
    round(list.reduce((a, s) => a + s[figure], 0) / Math.max(1, list.length), 1);
  const growth = WATCHED.map(({ figure, slack }) => {
    const early = mean(steady.slice(third, 2 * third), figure);
    const late = mean(steady.slice(-third), figure);
    return { figure, early, late, grows: late - early > slack(early) };
  });
  const { onProgress: _ignored, ...settings } = options;
  return { settings, samples, afterCleanup, growth, loadTest };
}
