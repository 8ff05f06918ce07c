import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

/** The worker scripts/setup.sh builds and caches, when the environment does not name one. */
function workerBin(): Record<string, string> {
  if (process.env['MEDIASOUP_WORKER_BIN'])
    return { MEDIASOUP_WORKER_BIN: process.env['MEDIASOUP_WORKER_BIN'] };
  const cache = join(homedir(), '.cache', 'confer');
  const dir = existsSync(cache)
    ? readdirSync(cache).find((d) => d.startsWith('mediasoup-worker-'))
    : undefined;
  const bin = dir ? join(cache, dir, 'mediasoup-worker') : '';
  return bin && existsSync(bin) ? { MEDIASOUP_WORKER_BIN: bin } : {};
}

/** Confer with its SFU (one worker, loopback), for browser tests and benchmarks that send media. */
export function startMediaServer(env: Record<string, string> = {}): Promise<ConferProcess> {
  return startConferProcess({
    MEDIA: 'true',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    ...workerBin(),
    ...env,
  });
}
