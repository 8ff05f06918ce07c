import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { startConferProcess } from '../test/support/confer-process';
import { parseAllocationProfile, summarizeAllocations } from './allocation-profile';
import { CHAT_LOAD_BUDGETS, bareRelayTarget, conferTarget, runChatLoad, type ChatTarget } from './chat-load';
import { startRelay } from './relay-process';
import { round } from './stats';

/**
 * `npx tsx bench/profile-allocations.ts [confer|relay] [all|survivors|live] [rate/s] [meetings]
 * [seconds] [tester threads]`: the chat load against Confer or the bare socket.io relay, and what
 * the server's event loop allocated while the chats were sent, in bytes per chat: `all` for
 * everything (what makes scavenges come), `survivors` for what the young generation's collections
 * did not free (what they copy and promote, and what V8 allocated in the old generation to begin
 * with, which full collections then have to free), `live` for what is still reachable after the
 * load and a full collection (what the load left in the heap). Not part of `npm run bench`: a tool for
 * deciding what to change (docs/capacity.md, twenty-sixth session).
 */
const Args = z.tuple([
  z.enum(['confer', 'relay']).default('confer').describe('server'),
  z.enum(['all', 'survivors', 'live']).default('all').describe('what to count'),
  z.coerce.number().int().min(1).max(20_000).default(4000).describe('rate/s'),
  z.coerce.number().int().min(1).max(5000).default(1000).describe('meetings'),
  z.coerce.number().int().min(1).max(600).default(10).describe('seconds'),
  z.coerce.number().int().min(1).max(8).default(2).describe('tester threads'),
]);
const names = ['server', 'what to count', 'rate/s', 'meetings', 'seconds', 'tester threads'];
const parsed = Args.safeParse(names.map((_, i) => process.argv[i + 2]));
if (!parsed.success) {
  const issue = parsed.error.issues[0]!;
  process.stderr.write(`profile-allocations: ${names[Number(issue.path[0])]}: ${issue.message}\n`);
  process.exit(2);
}
const [server, mode, rate, meetings, seconds, testerThreads] = parsed.data;

const dir = mkdtempSync(join(tmpdir(), 'confer-allocations-'));
const out = join(dir, 'allocations.heapprofile');
const preloadEnv = {
  NODE_OPTIONS: `--import ${fileURLToPath(new URL('./allocation-profile-preload.mjs', import.meta.url))}`,
  ALLOCATION_PROFILE_OUT: out,
  ALLOCATION_PROFILE_MODE: mode,
};

/** The server under test: where to reach it, how to signal it, how to stop it. */
async function startServer(): Promise<{ target: ChatTarget; signal(): void; stop(): Promise<void> }> {
  if (server === 'confer') {
    const confer = await startConferProcess({ ...preloadEnv, ...CHAT_LOAD_BUDGETS, LOG_LEVEL: 'warn' });
    return {
      target: conferTarget(confer.url),
      signal: () => confer.process.signal('SIGUSR2'),
      stop: () => confer.dispose(),
    };
  }
  const relay = await startRelay('bench/bare-relay-server.ts', preloadEnv);
  return {
    target: bareRelayTarget(relay.url),
    signal: () => relay.signal('SIGUSR2'),
    stop: async () => relay.stop(),
  };
}

const running = await startServer();
try {
  const result = await runChatLoad(running.target, {
    meetings,
    participants: 5,
    ratePerSecond: rate,
    durationMs: seconds * 1000,
    testerThreads,
    onProgress: (line) => process.stderr.write(`${line}\n`),
    // Sampling starts as the chats do, and stops once the last is answered.
    onSendStart: () => running.signal(),
  });
  running.signal();
  for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 100));
  // Written in one call, but read only once the writer has surely finished.
  await new Promise((r) => setTimeout(r, 500));
  const chats = Math.round(result.ackedPerSec * seconds);
  const summary = summarizeAllocations(parseAllocationProfile(readFileSync(out, 'utf8')), chats);
  process.stdout.write(
    `\n${result.target}, ${meetings} × 5 at ${rate}/s for ${seconds} s (${testerThreads} tester thread(s)): ` +
      `p50 ${round(result.latencyMs.p50, 1)} ms, p99 ${round(result.latencyMs.p99, 1)} ms; ` +
      `the event loop allocated ${round(summary.totalBytes / 1e6, 1)} MB${mode === 'survivors' ? ' that scavenges did not free' : mode === 'live' ? ' still reachable after it' : ''}, ` +
      `${summary.bytesPerUnit} bytes a chat (${chats} chats)\n`,
  );
  process.stdout.write('By allocating function, bytes a chat:\n');
  console.table(summary.sites);
  process.stdout.write('By the innermost frame of ours on the stack, and where the bytes were allocated:\n');
  console.table(summary.callers);
} finally {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
