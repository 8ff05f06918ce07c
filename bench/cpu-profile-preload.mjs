// Preload (`--import`) for bench/profile-chat.ts: profiles the main thread from start-up and
// writes main-<pid>.cpuprofile into $CPU_PROF_DIR on SIGUSR2 (Node refuses --cpu-prof in
// NODE_OPTIONS, and a server killed at the end of a run would never write one at exit).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.CPU_PROF_DIR ?? '/tmp';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
process.on('SIGUSR2', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(`${dir}/main-${process.pid}.cpuprofile`, JSON.stringify(result.profile));
  });
});
