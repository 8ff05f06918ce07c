import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.js';
import {
  readLogTail,
  ServiceStartError,
  spawnManaged,
  waitUntil,
  type ManagedProcess,
} from './managed-process.js';
import { cleanUpFailedStart, makeTempDir } from './service-files.js';

const execFileAsync = promisify(execFile);

export interface PostgresOptions {
  /** Database created for the test (default "confer_test"). */
  readonly database?: string;
  /** Extra server settings, passed as `-c name=value` (override the defaults). */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Directory of initdb/postgres; default: newest /usr/lib/postgresql/<n>/bin. */
  readonly binDir?: string;
  /** How long to wait for the server to accept connections (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A throwaway PostgreSQL server on 127.0.0.1, trust auth, superuser "postgres". */
export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** URL of another database on the same server. */
  urlFor(database: string): string;
  running(): boolean;
  /** Immediate shutdown and removal of all data. Idempotent. */
  stop(): Promise<void>;
  /** Fast shutdown (clients disconnected, checkpoint), then start again on the
   * same port with the same data: "PostgreSQL restarted". */
  restart(): Promise<void>;
  /** Takes the server down and leaves it down; `start()` brings it back.
   * "fast" is a clean shutdown, "immediate" skips the checkpoint (crash recovery on start). */
  shutdown(mode?: 'fast' | 'immediate'): Promise<void>;
  /** SIGKILL of the postmaster, as in a crash; left down until `start()`. */
  kill(): Promise<void>;
  /** Starts the server again after shutdown()/kill() (same port, same data). */
  start(): Promise<void>;
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

const USER = 'postgres';
const HOST = '127.0.0.1';

// Small and quick, but durable (fsync stays on): what tests need.
const DEFAULT_SETTINGS: Readonly<Record<string, string | number | boolean>> = {
  listen_addresses: HOST,
  max_connections: 200,
  shared_buffers: '32MB',
  huge_pages: 'off',
  fsync: 'on',
  // After a crash (kill()), postgres fsyncs every file of the data dir before
  // recovery (~2 s here); one syncfs() call does the same job at once.
  recovery_init_sync_method: 'syncfs',
  logging_collector: 'off',
  log_min_messages: 'warning',
  log_line_prefix: '%m [%p] ',
  // Tests create and drop many objects; keep autovacuum from competing for the 2 cores.
  autovacuum_naptime: '10min',
};

/** Newest PostgreSQL server install of Debian's layout, or '' to use PATH. */
function defaultBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return '';
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length > 0 ? join(root, majors[0] ?? '', 'bin') : '';
}

/** postgres refuses to run as root: as root we run it as the "postgres" user. */
function runAsFor(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${USER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      'running as root, but there is no "postgres" user to run the server as (apt-get install postgresql)',
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function settingArgs(settings: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${String(value)}`]);
}

async function initdb(
  bin: string,
  dataDir: string,
  runAs: RunAs | undefined,
  logFile: string,
): Promise<void> {
  const args = ['-D', dataDir, `--username=${USER}`, '--auth=trust', '--encoding=UTF8', '--locale=C'];
  // --no-sync: nothing survives the test anyway, and it saves a second.
  args.push('--no-sync', '--no-instructions');
  try {
    await execFileAsync(bin, args, { uid: runAs?.uid, gid: runAs?.gid, timeout: 60_000 });
  } catch (error) {
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new ServiceStartError(
      `initdb failed (${bin} ${args.join(' ')})`,
      `${output}\n${await readLogTail(logFile)}`.trim(),
    );
  }
}

/**
 * The postmaster's own status, line 8 of postmaster.pid ("starting", "ready",
 * "stopping"), as pg_ctl reads it. Polling it instead of connecting keeps the
 * log free of one "the database system is starting up" line per attempt.
 */
async function postmasterReady(dataDir: string): Promise<boolean> {
  const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  return lines[7]?.trim() === 'ready';
}

/** One attempt to connect; true when the server answers a query. */
async function acceptsConnections(port: number, database: string): Promise<boolean> {
  const client = new pg.Client({ host: HOST, port, user: USER, database, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: HOST, port, user: USER, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a fresh PostgreSQL server: initdb into a new temp dir, postgres on a
 * free loopback port (its unix socket in the temp dir), waits until it accepts
 * connections and creates the test database.
 */
export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const database = options.database ?? 'confer_test';
  const binDir = options.binDir ?? defaultBinDir();
  const bin = (name: string): string => (binDir === '' ? name : join(binDir, name));
  const runAs = runAsFor();
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;

  const tmp = await makeTempDir('pg');
  if (runAs !== undefined) await chown(tmp.path, runAs.uid, runAs.gid);
  const dataDir = join(tmp.path, 'data');
  const logFile = join(tmp.path, 'postgres.log');
  const port = await freePort(HOST);
  const settings = { ...DEFAULT_SETTINGS, ...options.settings, port, unix_socket_directories: tmp.path };
  const args = ['-D', dataDir, ...settingArgs(settings)];

  let server: ManagedProcess | undefined;
  let removed = false;

  const launch = async (): Promise<void> => {
    const child = await spawnManaged({
      name: 'postgres',
      command: bin('postgres'),
      args,
      logFile,
      uid: runAs?.uid,
      gid: runAs?.gid,
      // Immediate shutdown: the postmaster takes its backends down with it.
      exitSignal: 'SIGQUIT',
    });
    server = child;
    const ready = async (): Promise<boolean> =>
      (await postmasterReady(dataDir)) && (await acceptsConnections(port, 'postgres'));
    await waitUntil(ready, {
      what: `postgres to accept connections on ${HOST}:${port}`,
      timeoutMs: startTimeoutMs,
      intervalMs: 50,
      process: child,
    });
  };

  // After a crash, orphaned backends may hold the old shared memory for a few
  // ms ("pre-existing shared memory block is still in use"): try again.
  const launchWithRetry = async (): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await launch();
        return;
      } catch (error) {
        const retryable =
          error instanceof ServiceStartError && error.message.includes('pre-existing shared memory block');
        if (!retryable || attempt >= 20) throw error;
        await sleep(100);
      }
    }
  };

  const down = async (signal: NodeJS.Signals): Promise<void> => {
    const child = server;
    server = undefined;
    if (child?.running() === true) await child.stop(signal, 15_000);
  };

  try {
    await initdb(bin('initdb'), dataDir, runAs, logFile);
    await launch();
    await createDatabase(port, database);
  } catch (error) {
    await down('SIGKILL');
    throw await cleanUpFailedStart(tmp, logFile, error);
  }

  const urlFor = (name: string): string => `postgres://${USER}@${HOST}:${port}/${encodeURIComponent(name)}`;
  const ensureNotRemoved = (): void => {
    if (removed) throw new Error('postgres: this server was stopped and its data removed');
  };

  return {
    url: urlFor(database),
    host: HOST,
    port,
    user: USER,
    database,
    dataDir,
    logFile,
    urlFor,
    running: () => server?.running() === true,
    async stop() {
      if (removed) return;
      removed = true;
      await down('SIGQUIT');
      await tmp.remove();
    },
    async restart() {
      ensureNotRemoved();
      await down('SIGINT');
      await launchWithRetry();
    },
    async shutdown(mode = 'fast') {
      ensureNotRemoved();
      // SIGINT is postgres' "fast" shutdown, SIGQUIT its "immediate" one.
      await down(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    },
    async kill() {
      ensureNotRemoved();
      await down('SIGKILL');
    },
    async start() {
      ensureNotRemoved();
      if (server?.running() === true) return;
      await launchWithRetry();
    },
  };
}
