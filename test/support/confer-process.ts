import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../app/node-flags';
import { freePort } from './free-port';
import { spawnManaged, waitUntil, type ManagedProcess } from './managed-process';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ConferProcess {
  url: string;
  port: number;
  dataDir: string;
  env: Record<string, string>;
  process: ManagedProcess;
  /** Clean stop (SIGTERM). */
  stop(): Promise<void>;
  /** Crash (SIGKILL): nothing gets to flush. */
  kill(): Promise<void>;
  /** Starts the same node again (same port, data and settings). */
  start(): Promise<void>;
  /** Stops and removes its data directory. */
  dispose(): Promise<void>;
}

export const TEST_AUTH_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/**
 * Starts the real server (`app/main.ts`, as `npm start` does, without setup) as a child process
 * on a free port with its own data directory, and waits until /healthz answers. `nodeFlags` go on
 * node's command line after the server's own (a bench trying V8 settings).
 */
export async function startConferProcess(
  env: Record<string, string> = {},
  options: { nodeFlags?: readonly string[] } = {},
): Promise<ConferProcess> {
  const port = Number(env['PORT'] ?? (await freePort()));
  const dataDir = env['DATA_DIR'] ?? mkdtempSync(join(tmpdir(), 'confer-node-'));
  const fullEnv: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    AUTH_SECRET: TEST_AUTH_SECRET,
    LOG_LEVEL: 'warn',
    MEDIA: 'false',
    // Set under Vitest (vitest.config.ts: 0); the benches leave it unset and measure the default.
    READ_MODELS_NICENESS: process.env['READ_MODELS_NICENESS'] ?? '',
    READ_MODELS_IDLE_POLICY: process.env['READ_MODELS_IDLE_POLICY'] ?? '',
    ...env,
  };
  const url = `http://127.0.0.1:${port}`;
  let child: ManagedProcess | undefined;

  async function start(): Promise<void> {
    child = await spawnManaged({
      name: 'confer',
      command: process.execPath,
      // As `npm start` runs it (package.json): with the server's V8 settings.
      args: [...SERVER_NODE_FLAGS, ...(options.nodeFlags ?? []), '--import', 'tsx', 'app/main.ts'],
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', ...fullEnv },
      logFile: join(dataDir, 'confer.log'),
      exitSignal: 'SIGKILL',
    });
    await waitUntil(
      async () => {
        const res = await fetch(`${url}/healthz`).catch(() => undefined);
        return res?.ok === true;
      },
      { what: 'Confer to answer /healthz', timeoutMs: 60_000, intervalMs: 100, process: child },
    );
  }
  await start();

  const handle: ConferProcess = {
    url,
    port,
    dataDir,
    env: fullEnv,
    get process() {
      return child!;
    },
    async stop() {
      await child?.stop('SIGTERM', 10_000);
    },
    async kill() {
      await child?.stop('SIGKILL', 1_000);
    },
    start,
    async dispose() {
      await child?.stop('SIGTERM', 10_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}
