// Preload (`--import`) for bench/profile-chat.ts: profiles the main thread and every worker thread
// (the SQLite writer, the read models) from start-up, and on SIGUSR2 writes
// <thread>-<pid>.cpuprofile into $CPU_PROF_DIR: `main-<pid>` for the main thread,
// `worker<threadId>-<pid>` for the others (Node refuses --cpu-prof in NODE_OPTIONS, and a server
// killed at the end of a run would never write one at exit). Workers cannot take signals: the main
// thread passes the signal on through a BroadcastChannel.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.CPU_PROF_DIR ?? '/tmp';
const name = isMainThread ? `main-${process.pid}` : `worker${threadId}-${process.pid}`;
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
const channel = new BroadcastChannel('confer-cpu-profile');
// The channel must not keep a finished worker (or the process) alive.
channel.unref();
const write = () =>
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(result.profile));
  });
if (isMainThread) {
  process.on('SIGUSR2', () => {
    channel.postMessage('write');
    write();
  });
} else {
  channel.onmessage = write;
}
