import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type KafkaBroker } from './kafka-broker.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { startS3, type S3Server } from './s3-server.js';

// Real servers on a 2-core machine: starting one takes seconds.
const TIMEOUT = 120_000;

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  }, TIMEOUT);
  afterAll(() => server?.stop());

  it(
    'runs a real server: create table, insert, select',
    async () => {
      expect(server.url).toBe(`postgres://postgres@127.0.0.1:${server.port}/confer_test`);
      await query(server.url, 'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
      await query(server.url, 'INSERT INTO notes (body) VALUES ($1), ($2)', ['first', 'second']);
      const rows = await query<{ body: string }>(server.url, 'SELECT body FROM notes ORDER BY id');
      expect(rows.map((row) => row.body)).toEqual(['first', 'second']);
      const [settings] = await query<{ max_connections: string }>(server.url, 'SHOW max_connections');
      expect(settings?.max_connections).toBe('200');
    },
    TIMEOUT,
  );

  it(
    'restart() keeps the port and the data',
    async () => {
      const { port, url } = server;
      await server.restart();
      expect(server.port).toBe(port);
      const rows = await query<{ count: string }>(url, 'SELECT count(*) FROM notes');
      expect(rows[0]?.count).toBe('2');
    },
    TIMEOUT,
  );

  it(
    'kill() then start(): committed rows survive a crash',
    async () => {
      await query(server.url, "INSERT INTO notes (body) VALUES ('before the crash')");
      await server.kill();
      expect(server.running()).toBe(false);
      await expect(query(server.url, 'SELECT 1')).rejects.toThrow();
      await server.start();
      const rows = await query<{ body: string }>(server.url, 'SELECT body FROM notes ORDER BY id');
      expect(rows.map((row) => row.body)).toEqual(['first', 'second', 'before the crash']);
    },
    TIMEOUT,
  );
});

describe('startKafka', () => {
  const topic = 'chat-messages';
  let broker: KafkaBroker;
  let producer: Producer;
  let consumer: Consumer;
  const received: { key: string; value: string; partition: number }[] = [];

  beforeAll(async () => {
    broker = await startKafka();
  }, TIMEOUT);
  afterAll(async () => {
    await Promise.all([producer?.disconnect(), consumer?.disconnect()]);
    await broker?.stop();
  }, TIMEOUT);

  async function waitForReceived(count: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (received.length < count && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
  }

  function batch(from: number): { key: string; value: string }[] {
    return Array.from({ length: 100 }, (_, i) => ({
      key: `participant-${(from + i) % 20}`,
      value: `message-${from + i}`,
    }));
  }

  it(
    'topic with 3 partitions, idempotent producer, a consumer group reads all 100',
    async () => {
      const kafka = new Kafka({
        clientId: 'services-test',
        brokers: broker.brokers,
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await admin.disconnect();

      producer = kafka.producer({ idempotent: true });
      consumer = kafka.consumer({ groupId: 'services-test', maxWaitTimeInMs: 100 });
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            partition,
          });
        },
      });
      await producer.send({ topic, messages: batch(0) });
      await waitForReceived(100);

      expect(received.map((m) => m.value).sort()).toEqual(
        batch(0)
          .map((m) => m.value)
          .sort(),
      );
      expect(new Set(received.map((m) => m.partition)).size).toBe(3);
      // Keyed messages: one partition per key.
      const partitionOfKey = new Map(received.map((m) => [m.key, m.partition]));
      for (const m of received) expect(m.partition).toBe(partitionOfKey.get(m.key));
    },
    TIMEOUT,
  );

  it(
    'stopBroker() then startBroker(): the same clients resume on the same port',
    async () => {
      const { brokers } = broker;
      await broker.stopBroker();
      expect(broker.running()).toBe(false);
      await broker.startBroker();
      expect(broker.brokers).toEqual(brokers);

      await producer.send({ topic, messages: batch(100) });
      await waitForReceived(200);
      const values = new Set(received.map((m) => m.value));
      for (const m of batch(100)) expect(values.has(m.value)).toBe(true);
      expect(received).toHaveLength(200); // offsets were committed: nothing read twice
    },
    TIMEOUT,
  );
});

/** The part of @aws-sdk/client-s3 this test uses; the package is not a
 * dependency of the repo, so it is loaded only when someone installed it. */
interface S3Sdk {
  S3Client: new (config: {
    endpoint: string;
    region: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  }) => { send(command: object): Promise<unknown>; destroy(): void };
  PutObjectCommand: new (input: { Bucket: string; Key: string; Body: string }) => object;
  GetObjectCommand: new (input: { Bucket: string; Key: string }) => object;
}

function isS3Sdk(value: unknown): value is S3Sdk {
  return (
    typeof value === 'object' && value !== null && 'S3Client' in value && typeof value.S3Client === 'function'
  );
}

async function loadS3Sdk(): Promise<S3Sdk | undefined> {
  // A variable specifier: tsc and vite must not insist on the package.
  const specifier = '@aws-sdk/client-s3';
  try {
    const sdk: unknown = await import(/* @vite-ignore */ specifier);
    return isS3Sdk(sdk) ? sdk : undefined;
  } catch {
    return undefined;
  }
}

async function bodyText(output: unknown): Promise<string> {
  if (typeof output !== 'object' || output === null || !('Body' in output)) return '';
  const body: unknown = output.Body;
  if (typeof body !== 'object' || body === null || !('transformToString' in body)) return '';
  const transform: unknown = body.transformToString;
  return typeof transform === 'function' ? String(await transform.call(body)) : '';
}

const s3Sdk = await loadS3Sdk();

describe('startS3', () => {
  let server: S3Server;
  beforeAll(async () => {
    server = await startS3();
  }, TIMEOUT);
  afterAll(() => server?.stop());

  it(
    'answers S3 requests without any SDK (unsigned: AccessDenied)',
    async () => {
      const response = await fetch(`${server.endpoint}/${server.bucket ?? ''}`);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('AccessDenied');
    },
    TIMEOUT,
  );

  it.skipIf(s3Sdk === undefined)(
    'put and get an object with @aws-sdk/client-s3',
    async () => {
      if (s3Sdk === undefined || server.bucket === undefined) throw new Error('unreachable');
      const client = new s3Sdk.S3Client({
        endpoint: server.endpoint,
        region: server.region,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      });
      try {
        await client.send(
          new s3Sdk.PutObjectCommand({ Bucket: server.bucket, Key: 'recordings/r1.txt', Body: 'hello' }),
        );
        const got = await client.send(
          new s3Sdk.GetObjectCommand({ Bucket: server.bucket, Key: 'recordings/r1.txt' }),
        );
        expect(await bodyText(got)).toBe('hello');
      } finally {
        client.destroy();
      }
    },
    TIMEOUT,
  );
});
