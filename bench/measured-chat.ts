import { sumMetric } from '../loadtest/prometheus-text';
import { runChatLoad, type ChatLoadResult } from './chat-load';
import { rssBytes } from './forwarding';
import { storageWrittenBytes } from './process-io';
import {
  gcBetween,
  gcReading,
  machineNoise,
  readMachine,
  storeWriteBuckets,
  storeWritesBetween,
  type GcActivity,
  type GcReading,
  type MachineNoise,
  type StoreWrites,
  type WriteBuckets,
} from './round-context';
import { round } from './stats';
import { threadCpu, threadShares, type ThreadShares } from './thread-cpu';

export interface MeasuredChat extends ChatLoadResult {
  cpu: { server: ThreadShares; serverUsPerChat: number; testerPct: number };
  /** The machine over the sending phase (steal, pressure stalls). */
  noise: MachineNoise;
  /** The server's garbage collection over the sending phase (from its /metrics). */
  gc?: GcActivity;
  /** The server's event store writer over the sending phase (Confer with a metrics URL only). */
  storeWrites?: StoreWrites;
  /** Audit checkpoints the server signed over the sending phase (a round of them once held chat). */
  auditCheckpoints?: number;
  /** The server's resident memory as the sending phase ended (MiB): what its heap settings cost. */
  rssMiB: number;
  /**
   * What the server wrote to storage over the sending phase, KiB per acknowledged chat (its
   * files' pages as dirtied: a slow fsync is often someone else's writes ahead of it).
   */
  diskKiBPerChat?: number;
  /**
   * Bytes a chat that the server's old generation grew by over the sending phase (no full
   * collection in it): the rate at which full collections are brought on.
   */
  oldGenBytesPerChat?: number;
}

/** What a server's /metrics says of a round: its writer's batches (Confer's), its audit, its GC. */
interface RoundScrape {
  at: number;
  buckets: WriteBuckets;
  audit: number | undefined;
  gc: GcReading | undefined;
}

/** runChatLoad, with the server's CPU per thread and the load generator's own over the sending phase. */
export async function measuredChatLoad(
  target: Parameters<typeof runChatLoad>[0],
  serverPid: number,
  options: Parameters<typeof runChatLoad>[1],
  metricsUrl?: string,
): Promise<MeasuredChat> {
  let start:
    | { threads: Map<number, number>; tester: NodeJS.CpuUsage; at: number; written: number | undefined }
    | undefined;
  let phase:
    | {
        server: ThreadShares;
        testerPct: number;
        noise: MachineNoise;
        seconds: number;
        /** Bytes the server wrote to storage over the phase (undefined: /proc would not say). */
        written: number | undefined;
      }
    | undefined;
  let machineAtStart = readMachine();
  const scrape = (): Promise<RoundScrape> | undefined =>
    metricsUrl === undefined
      ? undefined
      : fetch(metricsUrl)
          .then((r) => r.text())
          .then((text) => ({
            at: performance.now(),
            buckets: storeWriteBuckets(text),
            audit: sumMetric(text, 'confer_audit_checkpoints_total'),
            gc: gcReading(text),
          }));
  let scrapeBefore: Promise<RoundScrape> | undefined;
  let scrapeAfter: Promise<RoundScrape> | undefined;
  let rssMiB = 0;
  const result = await runChatLoad(target, {
    ...options,
    onSendStart: () => {
      start = {
        threads: threadCpu(serverPid),
        tester: process.cpuUsage(),
        at: performance.now(),
        written: storageWrittenBytes(serverPid),
      };
      machineAtStart = readMachine();
      scrapeBefore = scrape();
      options.onSendStart?.();
    },
    onSendPhase: (fromUs, toUs) => {
      options.onSendPhase?.(fromUs, toUs);
      scrapeAfter = scrape();
      const seconds = (performance.now() - start!.at) / 1000;
      const tester = process.cpuUsage(start!.tester);
      rssMiB = Math.round(rssBytes(serverPid) / 2 ** 20);
      const writtenNow = storageWrittenBytes(serverPid);
      phase = {
        seconds,
        written:
          writtenNow === undefined || start!.written === undefined ? undefined : writtenNow - start!.written,
        server: threadShares(serverPid, start!.threads, threadCpu(serverPid), seconds),
        testerPct: Math.round((tester.user + tester.system) / 1e4 / seconds),
        noise: machineNoise(machineAtStart, readMachine()),
      };
    },
  });
  const { server, testerPct, noise, seconds, written } = phase!;
  // Chats over the phase, warm-up included (the CPU readings cover it): sent over all of it, or
  // over the windows' share of it, the rest being other servers' turns.
  const sending = options.windows ? (options.durationMs + (options.warmupMs ?? 0)) / 1000 : seconds;
  const chats = result.ackedPerSec * sending;
  // % of a core over the phase → CPU µs per acknowledged chat.
  const serverUsPerChat = ((server.processPct / 100) * seconds * 1e6) / Math.max(1, chats);
  const disk =
    written === undefined || chats === 0 ? {} : { diskKiBPerChat: round(written / 1024 / chats, 1) };
  const [before, after] = [await scrapeBefore, await scrapeAfter];
  if (!before || !after)
    return { ...result, cpu: { server, serverUsPerChat, testerPct }, noise, rssMiB, ...disk };
  const gc =
    before.gc && after.gc ? gcBetween(before.gc, after.gc, (after.at - before.at) / 1000) : undefined;
  return {
    ...result,
    cpu: { server, serverUsPerChat, testerPct },
    noise,
    rssMiB,
    ...disk,
    ...(gc ? { gc } : {}),
    ...(gc?.oldGrowthBytes !== undefined && chats > 0
      ? { oldGenBytesPerChat: Math.round(gc.oldGrowthBytes / chats) }
      : {}),
    // The writer's histogram and the audit counter are Confer's alone (the relay serves its GC);
    // the counter has no series before its first checkpoint.
    ...(after.buckets.length > 0
      ? {
          storeWrites: storeWritesBetween(before.buckets, after.buckets),
          auditCheckpoints: (after.audit ?? 0) - (before.audit ?? 0),
        }
      : {}),
  };
}
