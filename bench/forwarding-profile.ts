import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ensureWorkerBinary } from '../media/testing/worker-binary';
import { benchForwarding } from './forwarding';

/**
 * One forwarding window with `perf` attached to the worker, to redo the profile in
 * docs/capacity.md ("Where a forwarded packet's CPU goes"):
 *
 *   npx tsx bench/forwarding-profile.ts --subscribers 300 --seconds 15 --batch 0 --perf record --out /tmp/w.data
 *   perf report -i /tmp/w.data --no-children --sort dso,sym
 *   npx tsx bench/forwarding-profile.ts --batch 1 --perf stat    # sendmsg vs sendmmsg calls
 *
 * Prints the window's figures (bench/forwarding.ts) as JSON. Linux, with /usr/bin/perf.
 */
const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '15' },
    batch: { type: 'string', default: '0' },
    perf: { type: 'string', default: 'record' },
    out: { type: 'string', default: 'perf-worker.data' },
  },
});
const subscribers = Number(values.subscribers);
const seconds = Number(values.seconds);
if (!Number.isInteger(subscribers) || subscribers < 1) throw new Error('--subscribers: a whole number ≥ 1');
if (!Number.isFinite(seconds) || seconds < 3) throw new Error('--seconds: at least 3');
if (values.perf !== 'record' && values.perf !== 'stat') throw new Error('--perf: record or stat');

ensureWorkerBinary();
const mediasoup = await import('mediasoup');
let perfExited: Promise<unknown> = Promise.resolve();
const row = await benchForwarding(mediasoup, `MEDIASOUP_SEND_BATCH=${values.batch}`, {
  consumers: subscribers,
  seconds,
  workerEnv: { MEDIASOUP_SEND_BATCH: values.batch },
  onWindow: (pid) => {
    // A second shorter than the window, so perf ends while the stream still runs.
    const during = ['-p', String(pid), '--', 'sleep', String(seconds - 1)];
    const args =
      values.perf === 'stat'
        ? ['stat', '-e', 'syscalls:sys_enter_sendmsg,syscalls:sys_enter_sendmmsg', ...during]
        : ['record', '-g', '-F', '999', '-o', values.out, ...during];
    const perf = spawn('/usr/bin/perf', args, { stdio: 'inherit' });
    perfExited = new Promise((resolve) => perf.once('exit', resolve));
  },
});
await perfExited;
process.stdout.write(`${JSON.stringify(row)}\n`);
process.exit(0);
