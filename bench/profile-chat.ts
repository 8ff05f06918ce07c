import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConferProcess } from '../test/support/confer-process';
import { startKafka } from '../test/support/kafka-broker';
import { CHAT_LOAD_BUDGETS, conferTarget, runChatLoad } from './chat-load';
import { longTurns, summarizeCpuProfile } from './cpu-profile';
import { round } from './stats';

/**
 * `node --import tsx bench/profile-chat.ts <dir> [meetings] [rate/s] [seconds] [in-process|kafka]`: runs the chat load
 * against a Confer process started with a profiling preload, then prints the hottest functions of
 * each of the server's threads (event loop, SQLite writer, read models) over the chat phase only (the joins before it are left out). Not part of `npm run bench`: a
 * tool for deciding what to change, before measuring the change with the bench.
 */
const [dir = '/tmp/confer-profile', meetings = '1000', rate = '2500', seconds = '10', bus = 'in-process'] =
  process.argv.slice(2);
if (bus !== 'in-process' && bus !== 'kafka') throw new Error(`bus: "in-process" or "kafka", not "${bus}"`);
mkdirSync(dir, { recursive: true });
// Through Kafka: a broker of the tests' kind, with a topic of its own.
const kafka = bus === 'kafka' ? await startKafka() : undefined;
const preload = fileURLToPath(new URL('./cpu-profile-preload.mjs', import.meta.url));
const confer = await startConferProcess({
  NODE_OPTIONS: `--import ${preload}`,
  CPU_PROF_DIR: dir,
  ...CHAT_LOAD_BUDGETS,
  LOG_LEVEL: 'warn',
  ...(kafka
    ? { BUS: 'kafka', KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC: `profile-${Date.now()}` }
    : {}),
});
let window: { fromUs: number; toUs: number } | undefined;
const r = await runChatLoad(conferTarget(confer.url), {
  meetings: Number(meetings),
  participants: 5,
  ratePerSecond: Number(rate),
  durationMs: Number(seconds) * 1000,
  onProgress: (line) => process.stderr.write(`${line}\n`),
  onSendPhase: (fromUs, toUs) => (window = { fromUs, toUs }),
});
// The preload writes the profile on SIGUSR2; wait for the file before stopping the server.
confer.process.signal('SIGUSR2');
const written = () => readdirSync(dir).some((f) => f === `main-${confer.process.pid}.cpuprofile`);
for (let i = 0; i < 100 && !written(); i++) await new Promise((r) => setTimeout(r, 200));
await confer.stop();
process.stdout.write(
  `acked/s ${round(r.ackedPerSec, 0)} offered/s ${round(r.offeredPerSec, 0)} p50 ${round(r.latencyMs.p50, 1)} ms p99 ${round(r.latencyMs.p99, 1)} ms\n`,
);
// The workers write theirs on the same signal, through the preload's channel: give them a moment.
await new Promise((r) => setTimeout(r, 2000));
const newest = readdirSync(dir)
  .filter((f) => f.endsWith(`-${confer.process.pid}.cpuprofile`))
  .map((f) => join(dir, f));
for (const file of newest) process.stdout.write(`${file}\n${summarizeCpuProfile(file, window, 30)}\n`);
const main = newest.find((f) => f.endsWith(`main-${confer.process.pid}.cpuprofile`));
if (main) process.stdout.write(`event loop, ${longTurns(main, window)}\n`);
await confer.dispose();
await kafka?.stop();
process.exit(0);
