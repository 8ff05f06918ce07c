import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { allowedCpusByThread, pinnedCpus, pinProcess } from './pin-cpus';

describe('pinning the chat bench to CPUs', () => {
  it('moves every thread of a running process, its worker threads and the ones it starts later', async () => {
    // A process with a worker thread already running, which starts another once told to.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const { Worker } = require('node:worker_threads');
         const spin = 'setInterval(() => {}, 1000)';
         new Worker(spin, { eval: true });
         process.stdin.once('data', () => { new Worker(spin, { eval: true }); console.log('started'); });
         console.log('ready');`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout!, 'data');
      expect(allowedCpusByThread(child.pid!).length).toBeGreaterThan(1);
      pinProcess(child.pid!, '0');
      expect(new Set(allowedCpusByThread(child.pid!))).toEqual(new Set(['0']));
      const before = allowedCpusByThread(child.pid!).length;
      child.stdin!.write('go\n');
      await once(child.stdout!, 'data');
      const after = allowedCpusByThread(child.pid!);
      expect(after.length).toBeGreaterThan(before);
      expect(new Set(after)).toEqual(new Set(['0']));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('gives the tester CPU 0 and the servers the rest, and refuses a machine of one CPU by name', () => {
    expect(pinnedCpus(2)).toEqual({ tester: '0', servers: '1' });
    expect(pinnedCpus(8)).toEqual({ tester: '0', servers: '1-7' });
    expect(() => pinnedCpus(1)).toThrow('--chat-pin-tester: needs at least 2 CPUs, this machine has 1');
  });

  it('names the process it could not pin', () => {
    expect(() => pinProcess(2 ** 22 + 12345, '0')).toThrow(/could not pin process 4206649 to CPUs 0/);
  });
});
