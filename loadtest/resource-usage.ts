import { availableParallelism, loadavg } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { findListeningPid, processTree } from './local-processes';
import { labelledMetric, sumMetric } from './prometheus-text';
import { restApi } from './signaling';

/**
 * CPU and memory of both sides over the run, so that a saturated tester is never read as a
 * saturated server. The server's Node process from its /metrics (prom-client's process metrics,
 * with an operator credential); when the server runs on this machine, its mediasoup workers
 * from /proc too (they forward the media, and /metrics does not count them); the tester from
 * its own process (every libwebrtc thread included).
 */

export interface UsageFigures {
  /** Cores busy on average (1.0 = one core), and resident memory at the end, in MiB. */
  cpuCores: number | null;
  /** CPU seconds over the run (what cpuCores averages). */
  cpuSeconds: number | null;
  rssMiB: number | null;
  peakRssMiB: number | null;
}

/** CPU seconds between mark() and stop(): the run's steady part, after every join has settled. */
export interface SteadyWindow {
  seconds: number;
  serverCpuSeconds: number | null;
  workerCpuSeconds: number | null;
  testerCpuSeconds: number;
}

export interface ResourceReport {
  server: UsageFigures & { source: string };
  /** rssAtStartMiB: before the joins, so that growth per subscriber can be read. */
  sfuWorkers: (UsageFigures & { workers: number; rssAtStartMiB: number | null }) | null;
  /** eventLoopBusy: 0–1, the share of the run the tester's JavaScript thread was busy. */
  tester: UsageFigures & { eventLoopBusy: number };
  sfuObjects: Record<string, number>;
  notes: string[];
  steady: SteadyWindow | null;
}

interface Snapshot {
  at: number;
  eventLoop: EventLoopUtilization;
  serverCpu?: number;
  serverRss?: number;
  workers?: { cpu: number; rss: number; count: number };
  testerCpu: number;
  testerRss: number;
  metricsText?: string;
}

const MiB = 1024 * 1024;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export class ResourceSampler {
  private first: Snapshot | undefined;
  private steadyFrom: Snapshot | undefined;
  private last: Snapshot | undefined;
  private peak = { server: 0, workers: 0, tester: 0 };
  private timer: NodeJS.Timeout | undefined;
  private pid: number | undefined;
  private metricsError: string | undefined;
  private readonly notes: string[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly operatorToken: string | undefined,
    private readonly local: boolean,
  ) {}

  async start(): Promise<void> {
    if (this.local) {
      const port = Number(new URL(this.baseUrl).port || (this.baseUrl.startsWith('https') ? 443 : 80));
      this.pid = findListeningPid(port);
      if (this.pid === undefined)
        this.notes.push(`no process of this user listens on port ${port}: SFU worker figures unavailable`);
    } else this.notes.push('remote target: SFU worker figures need /proc on the server, not measured');
    this.first = await this.snapshot();
    this.timer = setInterval(() => void this.snapshot().then((s) => (this.last = s)), 2000);
  }

  /** Starts the steady window (joins done and settled); stop() ends it. */
  async mark(): Promise<void> {
    this.steadyFrom = await this.snapshot();
  }

  /** otherThreadsBusy: the event loop utilisation of the tester's subscriber threads, if any. */
  async stop(otherThreadsBusy: number[] = []): Promise<ResourceReport> {
    clearInterval(this.timer);
    this.last = await this.snapshot();
    return this.report(otherThreadsBusy);
  }

  private async snapshot(): Promise<Snapshot> {
    const usage = process.cpuUsage();
    const snap: Snapshot = {
      at: performance.now(),
      eventLoop: performance.eventLoopUtilization(),
      testerCpu: (usage.user + usage.system) / 1e6,
      testerRss: process.memoryUsage.rss(),
    };
    try {
      const text = await restApi(this.baseUrl).metrics(this.operatorToken);
      snap.metricsText = text;
      const cpu = sumMetric(text, 'process_cpu_seconds_total');
      const rss = sumMetric(text, 'process_resident_memory_bytes');
      if (cpu !== undefined) snap.serverCpu = cpu;
      if (rss !== undefined) snap.serverRss = rss;
    } catch (error) {
      this.metricsError = error instanceof Error ? error.message : String(error);
    }
    if (this.pid !== undefined) {
      const tree = processTree(this.pid);
      const workers = tree.children.filter((c) => c.name.startsWith('mediasoup-work'));
      snap.workers = {
        cpu: workers.reduce((a, w) => a + w.cpuSeconds, 0),
        rss: workers.reduce((a, w) => a + w.rssBytes, 0),
        count: workers.length,
      };
      // Without /metrics, the server's own figures come from /proc as well.
      if (snap.serverCpu === undefined && tree.server) snap.serverCpu = tree.server.cpuSeconds;
      if (snap.serverRss === undefined && tree.server) snap.serverRss = tree.server.rssBytes;
    }
    this.peak.server = Math.max(this.peak.server, snap.serverRss ?? 0);
    this.peak.workers = Math.max(this.peak.workers, snap.workers?.rss ?? 0);
    this.peak.tester = Math.max(this.peak.tester, snap.testerRss);
    return snap;
  }

  private report(otherThreadsBusy: number[]): ResourceReport {
    const a = this.first!;
    const b = this.last!;
    const seconds = (b.at - a.at) / 1000 || 1;
    const testerCores = (b.testerCpu - a.testerCpu) / seconds;
    // The busiest of the tester's JavaScript threads: the first to fall behind.
    const eventLoopBusy = round(
      Math.max(performance.eventLoopUtilization(b.eventLoop, a.eventLoop).utilization, ...otherThreadsBusy),
    );
    if (eventLoopBusy >= 0.9)
      this.notes.push(
        `the load tester's busiest JavaScript thread was busy ${Math.round(eventLoopBusy * 100)} % of the run ` +
          '(signaling and the subscribers that do not decode run there): it falls behind and drops packets itself; ' +
          'spread them with --threads, or use more testers',
      );
    // Node runs its JavaScript on one thread; libwebrtc's threads share the rest of the machine.
    if (testerCores >= 0.8)
      this.notes.push(
        `the load tester used ${Math.round(testerCores * 100)} % of a core: its own queueing is in the latencies; ` +
          'lower the load or run testers on more machines before reading the server from them',
      );
    const load = loadavg()[0]!;
    if (load > availableParallelism())
      this.notes.push(
        `this machine is busy (load average ${load.toFixed(1)} on ${availableParallelism()} cores): figures include waiting for a CPU`,
      );
    const cpuSeconds = (x?: number, y?: number) =>
      x === undefined || y === undefined ? null : round(y - x, 3);
    const cores = (x?: number, y?: number) =>
      x === undefined || y === undefined ? null : round((y - x) / seconds);
    const mib = (n?: number) => (n === undefined ? null : round(n / MiB, 1));
    const fromMetrics = a.metricsText !== undefined && b.metricsText !== undefined;
    if (!fromMetrics)
      this.notes.push(
        `server /metrics unreadable (${this.metricsError ?? 'unknown'}): pass --operator-token or set AUTH_SECRET` +
          (this.pid !== undefined ? '; server figures read from /proc instead' : ''),
      );
    const sfuObjects: Record<string, number> = {};
    // The peak of the run is what the SFU carried; at the end the meetings are still up (cleanup follows).
    for (const object of ['routers', 'transports', 'producers', 'consumers'])
      if (b.metricsText) {
        const n = labelledMetric(b.metricsText, 'confer_sfu_objects', 'object', object);
        if (n !== undefined) sfuObjects[object] = n;
      }
    return {
      server: {
        source: fromMetrics ? '/metrics' : this.pid !== undefined ? '/proc' : 'unavailable',
        cpuCores: cores(a.serverCpu, b.serverCpu),
        cpuSeconds: cpuSeconds(a.serverCpu, b.serverCpu),
        rssMiB: mib(b.serverRss),
        peakRssMiB: this.peak.server ? mib(this.peak.server) : null,
      },
      sfuWorkers: b.workers
        ? {
            workers: b.workers.count,
            cpuCores: cores(a.workers?.cpu, b.workers.cpu),
            cpuSeconds: cpuSeconds(a.workers?.cpu, b.workers.cpu),
            rssMiB: mib(b.workers.rss),
            rssAtStartMiB: mib(a.workers?.rss),
            peakRssMiB: mib(this.peak.workers),
          }
        : null,
      tester: {
        eventLoopBusy,
        cpuCores: cores(a.testerCpu, b.testerCpu),
        cpuSeconds: cpuSeconds(a.testerCpu, b.testerCpu),
        rssMiB: mib(b.testerRss),
        peakRssMiB: mib(this.peak.tester),
      },
      sfuObjects,
      notes: this.notes,
      steady: this.steadyFrom ? steadyWindow(this.steadyFrom, b) : null,
    };
  }
}

function steadyWindow(a: Snapshot, b: Snapshot): SteadyWindow {
  const delta = (x?: number, y?: number) => (x === undefined || y === undefined ? null : round(y - x, 3));
  return {
    seconds: round((b.at - a.at) / 1000, 3),
    serverCpuSeconds: delta(a.serverCpu, b.serverCpu),
    workerCpuSeconds: delta(a.workers?.cpu, b.workers?.cpu),
    testerCpuSeconds: round(b.testerCpu - a.testerCpu, 3),
  };
}
