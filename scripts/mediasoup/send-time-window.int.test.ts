import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./check-send-time-window.sh', import.meta.url));

/**
 * The worker's congestion-control send history is patched from a std::map to a window indexed by
 * sequence number (patch_send_time_window.py). Upstream's class and the patched one, built from
 * the installed mediasoup package's sources, answer the same pseudo-random trace of ~550,000
 * calls (recorded, sent, fed back, aged out, wrapped) identically.
 */
it('the send history in a window answers exactly as upstream std::map did', async () => {
  const { stdout } = await promisify(execFile)('bash', [script], { timeout: 240_000 });
  expect(stdout.match(/identical/g)).toHaveLength(3);
}, 300_000);
