import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_AUTH_SECRET, type ConferProcess } from '../test/support/confer-process';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * `confer load-test --json` against a Confer started by the bench, in a child process so that its
 * libwebrtc threads never stall the bench's own sampling. Resolves with the parsed report, or
 * `{ unreadable }` holding the start of what it printed when that was not JSON.
 */
export async function runLoadTestProcess(
  confer: ConferProcess,
  args: string[],
  log: (line: string) => void,
): Promise<unknown> {
  const tester = spawn(
    process.execPath,
    ['bin/confer.mjs', 'load-test', `--url=${confer.url}`, ...args, '--json'],
    {
      cwd: repoRoot,
      // The operator credential for /metrics is minted from the server's own secret.
      env: { ...process.env, AUTH_SECRET: TEST_AUTH_SECRET, DATA_DIR: confer.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  tester.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  tester.stderr.on('data', (chunk: Buffer) => log(`  load-test: ${chunk.toString().trim()}`));
  await new Promise<void>((resolve) => tester.once('exit', () => resolve()));
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return { unreadable: stdout.slice(0, 2000) };
  }
}
