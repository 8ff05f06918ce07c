import { ensureWorkerBinary } from '../../media/testing/worker-binary';
import { startConferProcess, type ConferProcess } from '../../test/support/confer-process';

/** Confer with its SFU (one worker, loopback), for browser tests and benchmarks that send media. */
export function startMediaServer(env: Record<string, string> = {}): Promise<ConferProcess> {
  return startConferProcess({
    MEDIA: 'true',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    // The worker npm test sets up; in a direct run, the package's link to it or the newest build.
    MEDIASOUP_WORKER_BIN: ensureWorkerBinary(),
    ...env,
  });
}
