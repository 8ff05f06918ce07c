import { z } from 'zod';
import {
  ChatVariant,
  parseChatToolArgs,
  startChatServers,
  takeChatToolFlag,
  type ChatServer,
} from './chat-servers';
import { measuredChatLoad, type MeasuredChat } from './measured-chat';
import { median, round } from './stats';

/**
 * `npx tsx bench/chat-variants.ts [--meetings=<n>] <rounds> <rate/s> <by-meeting|shuffled> <seconds> <variant>...`:
 * the chat load (1,000 meetings of 5 unless `--meetings` says otherwise, two tester threads) against
 * Confer set up in several ways,
 * beside the bare and the durable relays, all in turns within each round, so that a change is
 * judged against the same minutes of the same machine (bench/chat-interleaved.ts takes turns within
 * seconds instead). Variants as bench/chat-servers.ts spells them.
 * Prints each round, then each server's medians. Not part of `npm run bench`: a tool for deciding
 * what to change (docs/capacity.md, twenty-sixth session).
 */
const Args = z.tuple([
  z.coerce.number().int().min(1).max(50).describe('rounds'),
  z.coerce.number().int().min(1).max(20_000).describe('rate/s'),
  z.enum(['by-meeting', 'shuffled']).describe('send order'),
  z.coerce.number().int().min(1).max(600).describe('seconds'),
  z.array(ChatVariant).min(1, 'at least one variant (e.g. base)').max(6),
]);
const names = ['rounds', 'rate/s', 'send order', 'seconds', 'variants'];
const argv = process.argv.slice(2);
const meetings = takeChatToolFlag(
  'chat-variants',
  argv,
  'meetings',
  z.coerce.number().int().min(1).max(2_000),
  1000,
);
const [rounds, rate, sendOrder, seconds, variants] = parseChatToolArgs('chat-variants', Args, names, argv);

const servers: ChatServer[] = [];
try {
  await startChatServers(variants, servers);

  const measured = new Map<string, { run: MeasuredChat; relayP99: number }[]>(
    servers.map((s) => [s.name, []]),
  );
  for (let n = 1; n <= rounds; n++) {
    let relayP99 = NaN;
    const rows: Record<string, string | number>[] = [];
    for (const server of servers) {
      process.stderr.write(`[chat-variants] round ${n}/${rounds}: ${server.name}\n`);
      const run = await measuredChatLoad(
        server.target,
        server.pid,
        {
          meetings,
          participants: 5,
          ratePerSecond: rate,
          durationMs: seconds * 1000,
          testerThreads: 2,
          sendOrder,
        },
        server.metricsUrl,
      );
      if (server.name === 'relay') relayP99 = run.latencyMs.p99;
      measured.get(server.name)!.push({ run, relayP99 });
      rows.push({ server: server.name, ...columns(run, relayP99) });
    }
    process.stdout.write(
      `\nRound ${n}/${rounds}: ${meetings} × 5 at ${rate}/s for ${seconds} s, ${sendOrder}\n`,
    );
    console.table(rows);
  }
  process.stdout.write(
    `\nMedians over ${rounds} round(s) (p99 ratio: the median of each round's ratio to the relay)\n`,
  );
  console.table(
    servers.map((server) => {
      const list = measured.get(server.name)!;
      const med = (pick: (m: { run: MeasuredChat; relayP99: number }) => number) =>
        round(median(list.map(pick)), 2);
      return {
        server: server.name,
        'p50 ms': med((m) => m.run.latencyMs.p50),
        'p99 ms': med((m) => m.run.latencyMs.p99),
        'p99 / relay': med((m) => m.run.latencyMs.p99 / m.relayP99),
        'rounds within 2×': list.filter((m) => m.run.latencyMs.p99 <= 2 * m.relayP99).length,
        'rounds with a full GC': list.filter((m) => (m.run.gc?.majors ?? 0) > 0).length,
        'server µs/chat': med((m) => m.run.cpu.serverUsPerChat),
        'scavenge ms': med((m) => m.run.gc?.scavengeMs ?? NaN),
        // Over the rounds without a full collection (the growth is unknown across one).
        'old gen B/chat': round(
          median(
            list.flatMap((m) => (m.run.oldGenBytesPerChat === undefined ? [] : [m.run.oldGenBytesPerChat])),
          ),
          0,
        ),
        'disk KiB/chat': med((m) => m.run.diskKiBPerChat ?? NaN),
      };
    }),
  );
} finally {
  for (const server of servers) await server.stop();
}
process.exit(0);

/** One round of one server, as a table row. */
function columns(run: MeasuredChat, relayP99: number): Record<string, string | number> {
  return {
    'acked/s': round(run.ackedPerSec, 0),
    'p50 ms': round(run.latencyMs.p50, 1),
    'p99 ms': round(run.latencyMs.p99, 1),
    'p99 / relay': round(run.latencyMs.p99 / relayP99, 2),
    'server µs/chat': round(run.cpu.serverUsPerChat, 0),
    'event loop %': run.cpu.server.mainPct,
    'tester %': run.cpu.testerPct,
    'disk KiB/chat': run.diskKiBPerChat ?? '-',
    'GC %': run.gc?.pct ?? '-',
    'scavenge ms': run.gc?.scavengeMs ?? '-',
    'old gen B/chat': run.oldGenBytesPerChat ?? '-',
    'full GCs': run.gc?.majors ?? '-',
    'writer batches': run.storeWrites?.batches ?? '-',
  };
}
