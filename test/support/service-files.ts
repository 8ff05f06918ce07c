import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trackDir } from './cleanup-registry.js';

/** scripts/services in this repo: poms and the logging configs of the servers. */
export const servicesConfigDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts/services');

/** Where scripts/services/install.sh puts the server jars. Read here, not via
 * the app's config: this is test tooling, shared with the install script. */
function cacheDir(): string {
  return process.env.CONFER_CACHE_DIR ?? join(homedir(), '.cache', 'confer');
}

/** Java classpath (wildcard form) of a cached server, e.g. "kafka-4.4.0". */
export function cachedClasspath(server: string): string {
  const lib = join(cacheDir(), server, 'lib');
  if (!existsSync(lib)) {
    throw new Error(`${server} jars not found in ${lib}: run \`bash scripts/services/install.sh\` first`);
  }
  return `${lib}/*`;
}

/** The java launcher: $JAVA_HOME's if set, else the one on PATH. */
export function javaBinary(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? join(home, 'bin', 'java') : 'java';
}

/** JVM flags for a short-lived test server: quick start, small footprint. */
export function jvmFlags(minHeap: string, maxHeap: string): string[] {
  return [
    `-Xms${minHeap}`,
    `-Xmx${maxHeap}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
  ];
}

/** A temp dir deleted by `remove()`, or by the cleanup registry if the test
 * process ends first. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `confer-${prefix}-`));
  const untrack = trackDir(path);
  return {
    path,
    async remove() {
      await rm(path, { recursive: true, force: true, maxRetries: 3 });
      untrack();
    },
  };
}

/**
 * After a failed start: keeps the server's log beside where its temp dir was
 * (CI can collect /tmp/confer-*.log), removes the dir, and adds the log's new
 * place to the error, which is returned for rethrowing.
 */
export async function cleanUpFailedStart(tmp: TempDir, logFile: string, error: unknown): Promise<unknown> {
  const kept = `${tmp.path}.log`;
  const copied = await copyFile(logFile, kept).then(
    () => true,
    () => false,
  );
  await tmp.remove();
  if (copied && error instanceof Error) error.message += `\n(temp dir removed; its log is kept at ${kept})`;
  return error;
}
