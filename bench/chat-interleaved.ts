import { z } from 'zod';
import { monotonicMs } from './chat-share';
import { ChatVariant, startChatServers, type ChatServer } from './chat-servers';
import { measuredChatLoad } from './measured-chat';
import { round } from './stats';

/**
 * `npx tsx bench/chat-interleaved.ts <rate/s> <seconds each> <window s> <by-meeting|shuffled> <variant>...`:
 * the chat load (1,000 meetings of 5 on every server, two tester threads each) against the bare
 * relay, the durable relay and Confer as each variant sets it up, all open at once and taking
 * turns in windows of a few seconds (a second's pause between two, for the last deliveries and
 * the background work a window leaves), until each has been sent `seconds each` at the rate.
 *
 * Why: on this shared machine the bare relay's own p99 at 4,000/s moves between ~5 and ~100 ms
 * from one half-minute to the next (docs/capacity.md, twenty-ninth and thirtieth sessions), so two
 * servers measured in turns of 30 s each (bench/chat-variants.ts, the bench's rounds) are two
 * draws from different minutes and their ratio swings with the neighbours more than with the code.
 * Taking turns every few seconds spreads every server's chats over the same minutes, so that the
 * noise weighs on each alike and the ratio of their pooled p99s is about the servers.
 *
 * What it cannot remove: an idle server's own background work (Confer's read models catching up,
 * its write-ahead log copied back) may spill past the pause into the next server's window, which
 * would count against that server rather than Confer; the pause is there to keep that small.
 */
const Args = z.tuple([
  z.coerce.number().int().min(1).max(20_000).describe('rate/s'),
  z.coerce.number().int().min(1).max(1_800).describe('seconds each'),
  z.coerce.number().min(0.5).max(60).describe('window s'),
  z.enum(['by-meeting', 'shuffled']).describe('send order'),
  z.array(ChatVariant).min(1, 'at least one variant (e.g. now)').max(4),
]);
const names = ['rate/s', 'seconds each', 'window s', 'send order', 'variants'];
const argv = process.argv.slice(2);
const parsed = Args.safeParse([...argv.slice(0, 4), argv.slice(4)]);
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  process.stderr.write(`chat-interleaved: ${names[Number(issue.path[0])]}: ${issue.message}\n`);
  process.exit(2);
}
const [rate, seconds, windowSeconds, sendOrder, variants] = parsed.data;
if (new Set(variants.map((v) => v.name)).size !== variants.length) {
  process.stderr.write('chat-interleaved: variants: each needs a name of its own\n');
  process.exit(2);
}

/** Between one server's window and the next one's: its last deliveries, its background work. */
const PAUSE_MS = 1_000;

/** Resolves every caller with one start time on the monotonic clock once `n` have asked. */
function startTogether(n: number): () => Promise<number> {
  const waiting: ((at: number) => void)[] = [];
  return () =>
    new Promise<number>((resolve) => {
      waiting.push(resolve);
      if (waiting.length < n) return;
      const at = monotonicMs() + 500;
      for (const go of waiting) go(at);
    });
}

const servers: ChatServer[] = [];
try {
  // Confer collects its garbage when it has been idle for 3 s (app/idle-gc.ts): here it would be
  // idle between its turns and collect inside another server's window. Under a steady load it is
  // never idle, so it runs without it, as it would then, unless a variant says otherwise.
  await startChatServers(
    variants.map((v) => ({ ...v, env: { GC_WHEN_IDLE: 'false', ...v.env } })),
    servers,
  );
  const windowMs = windowSeconds * 1000;
  const slotMs = windowMs + PAUSE_MS;
  const periodMs = slotMs * servers.length;
  const gate = startTogether(servers.length);
  process.stderr.write(
    `[chat-interleaved] ${servers.map((s) => s.name).join(', ')}: opening 1,000 meetings of 5 on each\n`,
  );
  const runs = await Promise.all(
    servers.map((server, i) =>
      measuredChatLoad(
        server.target,
        server.pid,
        {
          meetings: 1000,
          participants: 5,
          ratePerSecond: rate,
          durationMs: seconds * 1000,
          testerThreads: 2,
          sendOrder,
          windows: { periodMs, onMs: windowMs, offsetMs: i * slotMs },
          startGate: gate,
          onSendStart: () =>
            i === 0 &&
            process.stderr.write(
              `[chat-interleaved] sending: ${windowSeconds} s windows in turn, ~${Math.ceil((seconds * periodMs) / windowMs)} s in all\n`,
            ),
        },
        server.metricsUrl,
      ),
    ),
  );
  const relayP99 = runs[0]!.latencyMs.p99;
  process.stdout.write(
    `\n1000 × 5 at ${rate}/s, ${seconds} s each in ${windowSeconds} s windows taken in turn, ${sendOrder}` +
      ` (tester: ${runs[0]!.cpu.testerPct} % of a core over the whole run, all servers' clients)\n`,
  );
  console.table(
    servers.map((server, i) => {
      const run = runs[i]!;
      return {
        server: server.name,
        'acked/s': round(run.ackedPerSec, 0),
        delivered: `${run.deliveries} / ${run.expectedDeliveries}`,
        'p50 ms': round(run.latencyMs.p50, 1),
        'p99 ms': round(run.latencyMs.p99, 1),
        'p99 / relay': round(run.latencyMs.p99 / relayP99, 2),
        'ack p99 ms': round(run.ackLatencyMs.p99, 1),
        'server µs/chat': round(run.cpu.serverUsPerChat, 0),
        'scavenge ms': run.gc?.scavengeMs ?? '-',
        'full GCs': run.gc?.majors ?? '-',
      };
    }),
  );
} finally {
  for (const server of servers) await server.stop();
}
process.exit(0);
