import { z } from 'zod';
import { PAUSE_MS, interleavedRows, runInterleavedChat } from './chat-interleave';
import {
  ChatVariant,
  parseChatToolArgs,
  startChatServers,
  takeChatToolFlag,
  type ChatServer,
} from './chat-servers';
import { round } from './stats';

/**
 * `npx tsx bench/chat-interleaved.ts [--control] [--pause=<s>] <rate/s> <seconds each> <window s> <by-meeting|shuffled> <variant>...`:
 * the chat load (1,000 meetings of 5 on every server, two tester threads each) against the bare
 * relay, the durable relay and Confer as each variant sets it up (bench/chat-servers.ts), all open
 * at once and taking turns in windows of a few seconds (bench/chat-interleave.ts says why).
 * Confer runs without its idle-time collection unless a variant sets GC_WHEN_IDLE.
 *
 * `--control` runs the bare relay a second time, last in the turns (after Confer's), instead of
 * the durable relay (the tester's 5,000 sockets a server would go past this machine's 20,000 open
 * files with four): its figures beside the first one's say how much the method itself moves a
 * server's. `--pause=<s>`: the pause between two windows (PAUSE_MS, 5 s, by default).
 * Not part of `npm run bench`, whose chat section runs the goal's row this way once.
 */
const Args = z.tuple([
  z.coerce.number().int().min(1).max(20_000).describe('rate/s'),
  z.coerce.number().int().min(1).max(1_800).describe('seconds each'),
  z.coerce.number().min(0.5).max(60).describe('window s'),
  z.enum(['by-meeting', 'shuffled']).describe('send order'),
  z.array(ChatVariant).min(1, 'at least one variant (e.g. now)').max(3),
]);
const names = ['rate/s', 'seconds each', 'window s', 'send order', 'variants'];
const control = process.argv.includes('--control');
const argv = process.argv.slice(2).filter((a) => a !== '--control');
const pauseSeconds = takeChatToolFlag(
  'chat-interleaved',
  argv,
  'pause',
  z.coerce.number().min(0).max(60),
  PAUSE_MS / 1000,
);
const [rate, seconds, windowSeconds, sendOrder, variants] = parseChatToolArgs(
  'chat-interleaved',
  Args,
  names,
  argv,
);

const servers: ChatServer[] = [];
try {
  await startChatServers(
    variants.map((v) => ({ ...v, env: { GC_WHEN_IDLE: 'false', ...v.env } })),
    servers,
    { secondBareRelay: control, durableRelay: !control },
  );
  const runs = await runInterleavedChat(servers, {
    meetings: 1000,
    participants: 5,
    ratePerSecond: rate,
    seconds,
    windowSeconds,
    pauseSeconds: pauseSeconds,
    tester: { testerThreads: 2, sendOrder },
    onProgress: (line) => process.stderr.write(`[chat-interleaved] ${line}\n`),
  });
  process.stdout.write(
    `\n1000 × 5 at ${rate}/s, ${seconds} s each in ${windowSeconds} s windows taken in turn (${pauseSeconds} s apart), ${sendOrder}` +
      ` (tester: ${runs[0]!.run.cpu.testerPct} % of a core over the whole run, all servers' clients)\n`,
  );
  console.table(interleavedRows(runs));
  // Window by window, in the order they ran: the servers' windows of one period ran within
  // seconds of each other, so a column compares them on the same minute of the machine.
  process.stdout.write(`\nEach window's ack p99 (ms), period by period:\n`);
  for (const { server, windowAckP99s } of runs)
    process.stdout.write(`  ${server.padEnd(14)} ${windowAckP99s.map((p) => round(p, 1)).join(' ')}\n`);
} finally {
  for (const server of servers) await server.stop();
}
process.exit(0);
