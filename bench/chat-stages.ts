import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startConferProcess } from '../test/support/confer-process';
import { CHAT_LOAD_BUDGETS, conferTarget, runChatLoad } from './chat-load';
import { summarizeGc, summarizeStages, type ChatMoments, type GcPause } from './chat-stages-summary';
import { round } from './stats';

/**
 * `npx tsx bench/chat-stages.ts [rounds] [rate/s] [meetings] [seconds] [tester threads]
 * [send tick ms] [by-meeting|shuffled]`: the chat load against a Confer process, each message
 * timed at five moments on the machine's monotonic clock (sent and delivered by the tester;
 * read, answered and broadcast by the server, through the gateway's diagnostics channels), and
 * its latency cut into stages: where the median and the slowest 1 % spend their time. Beside
 * each round, the event loop's garbage collections in its window. Not part of `npm run bench`:
 * a tool for deciding what to change (docs/capacity.md, twenty-fourth and twenty-fifth sessions).
 */
const Args = z.tuple([
  z.coerce.number().int().min(1).max(20).default(3).describe('rounds'),
  z.coerce.number().int().min(1).max(20_000).default(4000).describe('rate/s'),
  z.coerce.number().int().min(1).max(5000).default(1000).describe('meetings'),
  z.coerce.number().int().min(1).max(600).default(10).describe('seconds'),
  z.coerce.number().int().min(1).max(8).default(2).describe('tester threads'),
  z.coerce.number().int().min(1).max(100).default(10).describe('send tick ms'),
  z.enum(['by-meeting', 'shuffled']).default('by-meeting').describe('send order'),
]);
const names = ['rounds', 'rate/s', 'meetings', 'seconds', 'tester threads', 'send tick ms', 'send order'];
const parsed = Args.safeParse(names.map((_, i) => process.argv[i + 2]));
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  process.stderr.write(`chat-stages: ${names[Number(issue.path[0])]}: ${issue.message}\n`);
  process.exit(2);
}
const [rounds, rate, meetings, seconds, testerThreads, sendTickMs, sendOrder] = parsed.data;

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const dir = mkdtempSync(join(tmpdir(), 'confer-chat-stages-'));
const out = join(dir, 'stages.json');
const preload = fileURLToPath(new URL('./chat-stages-preload.mjs', import.meta.url));
const confer = await startConferProcess({
  NODE_OPTIONS: `--import ${preload}`,
  CHAT_STAGES_OUT: out,
  ...CHAT_LOAD_BUDGETS,
  LOG_LEVEL: 'warn',
});
const ServerNotes = z.object({
  stages: z.object({
    received: z.record(z.string(), z.number()),
    answered: z.record(z.string(), z.number()),
    broadcast: z.record(z.string(), z.number()),
  }),
  gcs: z.array(z.object({ at: z.number(), ms: z.number(), kind: z.number().optional() })),
});

/** Asks the preload for what it noted since the last time, and waits for the file. */
async function serverNotes(): Promise<z.infer<typeof ServerNotes>> {
  rmSync(out, { force: true });
  confer.process.signal('SIGUSR2');
  for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
  // Written in one call, but read only once the writer has surely finished.
  await new Promise((r) => setTimeout(r, 200));
  return ServerNotes.parse(JSON.parse(readFileSync(out, 'utf8')));
}

try {
  for (let n = 1; n <= rounds; n++) {
    const sent = new Map<string, number>();
    const delivered = new Map<string, number>();
    let window = { from: 0, to: 0 };
    const result = await runChatLoad(conferTarget(confer.url), {
      meetings,
      participants: 5,
      ratePerSecond: rate,
      durationMs: seconds * 1000,
      testerThreads,
      sendTickMs,
      sendOrder,
      onProgress: (line) => process.stderr.write(`${line}\n`),
      onSendStart: () => (window = { from: nowMs(), to: 0 }),
      onSendPhase: () => (window.to = nowMs()),
      onSent: (message, at) => sent.set(message, at),
      // The last of the other participants' deliveries is the one kept.
      onDelivered: (message, at) => delivered.set(message, at),
    });
    const { stages, gcs } = await serverNotes();
    const messages: ChatMoments[] = [...sent].map(([id, at]) => ({
      sent: at,
      received: stages.received[id],
      answered: stages.answered[id],
      broadcast: stages.broadcast[id],
      delivered: delivered.get(id),
    }));
    const { rows, messages: timed } = summarizeStages(messages);
    process.stdout.write(
      `\nRound ${n}/${rounds}: ${meetings} × 5 at ${rate}/s for ${seconds} s (tester: ${testerThreads} thread(s), a tick every ${sendTickMs} ms, ${sendOrder}); delivered p50 ${round(result.latencyMs.p50, 1)} ms, p99 ${round(result.latencyMs.p99, 1)} ms; ${timed} of ${sent.size} messages timed at every moment\n`,
    );
    console.table(rows);
    process.stdout.write("The event loop's garbage collections in the sending window:\n");
    console.table([summarizeGc(gcs as GcPause[], window.from, window.to)]);
  }
} finally {
  await confer.dispose();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
