import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { freePorts } from './free-port.js';
import {
  readLogTail,
  ServiceStartError,
  spawnManaged,
  waitUntil,
  type ManagedProcess,
} from './managed-process.js';
import {
  cachedClasspath,
  cleanUpFailedStart,
  javaBinary,
  jvmFlags,
  makeTempDir,
  servicesConfigDir,
} from './service-files.js';

const execFileAsync = promisify(execFile);

export interface KafkaOptions {
  /** Extra or overriding server.properties entries. */
  readonly properties?: Readonly<Record<string, string | number | boolean>>;
  /** JVM max heap (default "512m"; 256m also works). */
  readonly maxHeap?: string;
  /** How long to wait for the broker to be ready (default 60 s). */
  readonly startTimeoutMs?: number;
  /** Warm up topic metadata, the group and transaction coordinators (default true). */
  readonly warmUp?: boolean;
  /**
   * 'test' (default): a small heap, the serial collector and the quick compiler only, so the
   * broker starts fast and stays small beside the tests. 'as-shipped': the JVM settings Kafka's
   * own start script uses (1 GiB heap, G1 aiming at 20 ms pauses, both compilers), for
   * benchmarks that measure latency through the broker.
   */
  readonly jvm?: 'test' | 'as-shipped';
}

/** What kafka-run-class.sh sets by default (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS). */
const AS_SHIPPED_JVM = [
  '-Xms1g',
  '-Xmx1g',
  '-server',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:InitiatingHeapOccupancyPercent=35',
  '-XX:+ExplicitGCInvokesConcurrent',
  '-XX:MaxInlineLevel=15',
  '-Djava.awt.headless=true',
];

/** A throwaway single-node KRaft Kafka (broker and controller in one JVM). */
export interface KafkaBroker {
  /** ["127.0.0.1:<port>"], for kafkajs' `brokers`. */
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  running(): boolean;
  /** The broker's process id while it runs (benchmarks read its CPU from /proc). */
  pid(): number | undefined;
  /** Stops the broker and removes all data. Idempotent. */
  stop(): Promise<void>;
  /** Clean shutdown (SIGTERM) that keeps the data; `startBroker()` brings it back. */
  stopBroker(): Promise<void>;
  /** SIGKILL, as in a crash; data kept, `startBroker()` recovers it. */
  killBroker(): Promise<void>;
  /** Starts the broker again on the same ports with the same data; resolves when ready. */
  startBroker(): Promise<void>;
  /** Freezes the JVM (SIGSTOP): connections stay open, nothing answers. */
  pause(): Promise<void>;
  /** Unfreezes it (SIGCONT). */
  resume(): Promise<void>;
}

const HOST = '127.0.0.1';
const KAFKA = 'kafka-4.4.0';
const STARTED_LINE = 'Kafka Server started';
const WARMUP_TOPIC = '__confer_warmup';

/** Kafka's Uuid: 16 random bytes in URL-safe base64 without padding; Kafka
 * never makes one starting with "-" (it would read as a CLI flag). */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(
  port: number,
  controllerPort: number,
  logDir: string,
  extra: KafkaOptions['properties'],
): string {
  const properties: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `${HOST}:${controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 1,
    // One node: every internal topic with replication factor and min ISR 1.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    // One partition each, so the warm-up loads the coordinator of every group
    // and every transactional id, not just of the ones that hash like ours.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.num.partitions': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After a crash (killBroker) the restarted broker cannot register until
    // its previous session expires (DUPLICATE_BROKER_REGISTRATION): 9 s by
    // default, 4 s here, still 8 missed heartbeats of slack on a busy machine.
    'broker.session.timeout.ms': 4_000,
    'broker.heartbeat.interval.ms': 500,
    ...extra,
  };
  return Object.entries(properties)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join('\n');
}

async function formatStorage(classpath: string, propertiesFile: string, log4j: string): Promise<void> {
  const args = [...jvmFlags('64m', '256m'), log4j, '-cp', classpath, 'kafka.tools.StorageTool'];
  // --standalone: this node is the whole controller quorum (needed with
  // controller.quorum.bootstrap.servers).
  args.push('format', '--standalone', '-t', randomClusterId(), '-c', propertiesFile);
  try {
    await execFileAsync(javaBinary(), args, { timeout: 60_000 });
  } catch (error) {
    const output = error instanceof Error && 'stderr' in error ? `${String(error.stderr)}` : String(error);
    throw new ServiceStartError(
      'kafka: formatting the storage failed (kafka.tools.StorageTool)',
      output.trim(),
    );
  }
}

/**
 * Makes the first real request of a test fast: creates a topic, loads the
 * group coordinator (a group consumes a fresh message) and the transaction
 * coordinator, so tests do not start with "coordinator is loading" retries.
 */
async function warmUp(brokers: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'confer-test-warmup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: WARMUP_TOPIC, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  await Promise.all([warmUpGroup(kafka), warmUpTransactions(kafka)]);
}

async function warmUpGroup(kafka: Kafka): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: WARMUP_TOPIC, maxWaitTimeInMs: 100 });
  try {
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic: WARMUP_TOPIC, fromBeginning: true });
    const received = new Promise<void>((resolve) => {
      void consumer.run({ eachMessage: async () => resolve() });
    });
    // Each warm-up sends a new message, so a group whose offsets are already
    // committed (after a broker restart) still receives one.
    await producer.send({ topic: WARMUP_TOPIC, messages: [{ value: 'warm-up' }] });
    await received;
  } finally {
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
  }
}

async function warmUpTransactions(kafka: Kafka): Promise<void> {
  const producer = kafka.producer({
    transactionalId: WARMUP_TOPIC,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.send({ topic: WARMUP_TOPIC, messages: [{ value: 'warm-up (transactional)' }] });
    await transaction.commit();
  } finally {
    await producer.disconnect();
  }
}

/**
 * Starts a fresh Kafka 4.4 broker from the jars that scripts/services/install.sh
 * cached: storage formatted in a new temp dir, free loopback ports, resolves
 * once the broker is started and warmed up.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const classpath = cachedClasspath(KAFKA);
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const tmp = await makeTempDir('kafka');
  const [port = 0, controllerPort = 0] = await freePorts(2, HOST);
  const brokers = [`${HOST}:${port}`];
  const propertiesFile = join(tmp.path, 'server.properties');
  const logFile = join(tmp.path, 'kafka.log');
  const log4j = `-Dlog4j2.configurationFile=${join(servicesConfigDir, 'kafka', 'log4j2.xml')}`;
  const javaArgs = [
    ...(options.jvm === 'as-shipped' ? AS_SHIPPED_JVM : jvmFlags('128m', options.maxHeap ?? '512m')),
    log4j,
    '-cp',
    classpath,
    'kafka.Kafka',
    propertiesFile,
  ];

  let broker: ManagedProcess | undefined;
  let paused = false;
  let removed = false;

  const launch = async (): Promise<void> => {
    const child = await spawnManaged({
      name: 'kafka',
      command: javaBinary(),
      args: javaArgs,
      cwd: tmp.path,
      logFile,
      exitSignal: 'SIGKILL',
    });
    broker = child;
    paused = false;
    await waitUntil(async () => (await child.output()).includes(STARTED_LINE), {
      what: `"${STARTED_LINE}" on ${brokers[0] ?? ''}`,
      timeoutMs: startTimeoutMs,
      process: child,
    });
    if (options.warmUp === false) return;
    await withTimeout(
      warmUp(brokers),
      startTimeoutMs,
      async () =>
        new ServiceStartError(
          `kafka: warm-up did not finish within ${startTimeoutMs} ms; log: ${logFile}`,
          await readLogTail(logFile),
        ),
    );
  };

  const down = async (signal: NodeJS.Signals): Promise<void> => {
    const child = broker;
    broker = undefined;
    if (child?.running() !== true) return;
    // A frozen JVM would only act on SIGTERM once continued.
    if (paused) child.signal('SIGCONT');
    paused = false;
    await child.stop(signal, 20_000);
  };

  try {
    await writeFile(
      propertiesFile,
      serverProperties(port, controllerPort, join(tmp.path, 'data'), options.properties),
    );
    await formatStorage(classpath, propertiesFile, log4j);
    await launch();
  } catch (error) {
    await down('SIGKILL');
    throw await cleanUpFailedStart(tmp, logFile, error);
  }

  const ensureNotRemoved = (): void => {
    if (removed) throw new Error('kafka: this broker was stopped and its data removed');
  };
  const runningBroker = (): ManagedProcess => {
    ensureNotRemoved();
    if (broker?.running() !== true) throw new Error('kafka: the broker is not running');
    return broker;
  };

  return {
    brokers,
    port,
    controllerPort,
    dataDir: join(tmp.path, 'data'),
    logFile,
    running: () => broker?.running() === true,
    pid: () => (broker?.running() === true ? broker.pid : undefined),
    async stop() {
      if (removed) return;
      removed = true;
      await down('SIGTERM');
      await tmp.remove();
    },
    async stopBroker() {
      ensureNotRemoved();
      await down('SIGTERM');
    },
    async killBroker() {
      ensureNotRemoved();
      await down('SIGKILL');
    },
    async startBroker() {
      ensureNotRemoved();
      if (broker?.running() === true) return;
      await launch();
    },
    async pause() {
      runningBroker().signal('SIGSTOP');
      paused = true;
    },
    async resume() {
      runningBroker().signal('SIGCONT');
      paused = false;
    },
  };
}

/** `work`, or the error made by `onTimeout` if it takes longer than `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => Promise<Error>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => void onTimeout().then(reject, reject), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
