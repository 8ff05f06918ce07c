import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnManaged, waitUntil, type ManagedProcess } from './managed-process.js';
import {
  cachedClasspath,
  cleanUpFailedStart,
  javaBinary,
  jvmFlags,
  makeTempDir,
  servicesConfigDir,
} from './service-files.js';

export interface S3Options {
  /** Bucket created before start (default "confer-test"); `false` for none. */
  readonly bucket?: string | false;
  /** JVM max heap (default "256m"). */
  readonly maxHeap?: string;
  /** How long to wait for the server to answer (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A throwaway S3-compatible server (S3Proxy, filesystem backend). Clients
 * need path-style addressing: `forcePathStyle: true` in @aws-sdk/client-s3. */
export interface S3Server {
  /** http://127.0.0.1:<port> */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly bucket: string | undefined;
  /** The filesystem backend: one directory per bucket, one file per object. */
  readonly dataDir: string;
  readonly logFile: string;
  running(): boolean;
  /** Stops the server and removes all data. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const S3PROXY = 's3proxy-4.1.0';
const REGION = 'us-east-1';

function propertiesFor(
  endpoint: string,
  accessKeyId: string,
  secretAccessKey: string,
  dataDir: string,
): string {
  return [
    `s3proxy.endpoint=${endpoint}`,
    // Signatures are checked, so a client with a wrong secret fails as on AWS.
    's3proxy.authorization=aws-v2-or-v4',
    `s3proxy.identity=${accessKeyId}`,
    `s3proxy.credential=${secretAccessKey}`,
    // The current AWS SDK sends checksum headers S3Proxy does not know.
    's3proxy.ignore-unknown-headers=true',
    'jclouds.provider=filesystem',
    `jclouds.filesystem.basedir=${dataDir}`,
  ].join('\n');
}

/** Any HTTP answer (403 for an unsigned request) means the server is up. */
async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return true;
}

/**
 * Starts S3Proxy from the jars that scripts/services/install.sh cached, on a
 * free loopback port with random credentials and its data in a temp dir.
 */
export async function startS3(options: S3Options = {}): Promise<S3Server> {
  const classpath = cachedClasspath(S3PROXY);
  const tmp = await makeTempDir('s3');
  const dataDir = join(tmp.path, 'data');
  const logFile = join(tmp.path, 's3proxy.log');
  const propertiesFile = join(tmp.path, 's3proxy.properties');
  const port = await freePort(HOST);
  const endpoint = `http://${HOST}:${port}`;
  const accessKeyId = 'confer-test';
  const secretAccessKey = randomBytes(24).toString('hex');
  const bucket = options.bucket === false ? undefined : (options.bucket ?? 'confer-test');

  let server: ManagedProcess | undefined;
  try {
    // With the filesystem backend a bucket is a directory: no API call needed.
    // jclouds derives ACLs from file modes: "others may read" means public-read,
    // so everything stays 0700/0600, or unsigned requests could read it.
    await mkdir(bucket === undefined ? dataDir : join(dataDir, bucket), { recursive: true, mode: 0o700 });
    await writeFile(propertiesFile, propertiesFor(endpoint, accessKeyId, secretAccessKey, dataDir));
    const logback = `-Dlogback.configurationFile=${join(servicesConfigDir, 's3proxy', 'logback.xml')}`;
    server = await spawnManaged({
      name: 's3proxy',
      // umask 077 for the files S3Proxy creates (see above); exec keeps the pid java's.
      command: 'sh',
      args: [
        '-c',
        'umask 077 && exec "$@"',
        'sh',
        javaBinary(),
        ...jvmFlags('64m', options.maxHeap ?? '256m'),
        logback,
        '-cp',
        classpath,
        'org.gaul.s3proxy.Main',
        '--properties',
        propertiesFile,
      ],
      cwd: tmp.path,
      logFile,
      exitSignal: 'SIGKILL',
    });
    const child = server;
    await waitUntil(() => answers(endpoint), {
      what: `S3Proxy to answer on ${endpoint}`,
      timeoutMs: options.startTimeoutMs ?? 30_000,
      process: child,
    });
  } catch (error) {
    await server?.stop('SIGKILL', 5_000);
    throw await cleanUpFailedStart(tmp, logFile, error);
  }

  const child = server;
  let removed = false;
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    region: REGION,
    bucket,
    dataDir,
    logFile,
    running: () => child.running(),
    async stop() {
      if (removed) return;
      removed = true;
      // Nothing to flush (objects are plain files, written before each reply)
      // and the data goes anyway: SIGKILL saves the second Jetty takes to stop.
      await child.stop('SIGKILL', 5_000);
      await tmp.remove();
    },
  };
}

/** The settings that point a Confer process's object store at this server (and its bucket). */
export function conferS3Env(s3: S3Server): Record<string, string> {
  if (!s3.bucket) throw new Error('this S3 server was started without a bucket');
  return {
    OBJECT_STORE: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}
