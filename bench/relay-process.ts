import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * A baseline server (`bench/bare-relay-server.ts`, `bench/durable-relay-server.ts`) in a child
 * process on a free port, which it prints as its first line. `env` is added to this process's,
 * `args` follow the port on its command line.
 */
export async function startRelay(
  script: string,
  env: Record<string, string> = {},
  args: readonly string[] = [],
): Promise<{ url: string; pid: number; signal(name: NodeJS.Signals): void; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, '0', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once('line', resolve),
  );
  const { port } = z.object({ port: z.number() }).parse(JSON.parse(line));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    signal: (name) => void child.kill(name),
    stop: () => void child.kill('SIGTERM'),
  };
}
