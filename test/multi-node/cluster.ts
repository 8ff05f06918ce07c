import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { createPostgresProjectionStore } from '../../infra/projection-store/postgres-projection-store';
import { chatPage, getMeeting } from '../../projections';
import { api, type ClientSocket } from '../support/confer-client';
import { eventually } from '../support/eventually';
import { startConferProcess, type ConferProcess } from '../support/confer-process';
import { startKafka, type KafkaBroker } from '../support/kafka-broker';
import { startPostgres, type PostgresServer } from '../support/postgres-server';

/**
 * A deployment of several Confer nodes as operators run it (README, "Running several machines"):
 * one PostgreSQL (event store and read models), one Kafka broker, and app processes that share
 * them and the auth secret. Each test file gets its own topic and database, so files can run side
 * by side without seeing each other's events.
 */
export { eventually };

export interface Cluster {
  postgres: PostgresServer;
  kafka: KafkaBroker;
  topic: string;
  /** The env every node starts with (NODE_ID and PORT come on top). */
  env: Record<string, string>;
  node(id: string): ConferProcess;
  /** Starts a node, or starts a stopped or killed one again (same port, same settings). */
  startNode(id: string): Promise<ConferProcess>;
  /** The last lines of each node's log, without the chatter (below): printed when a test fails. */
  logTails(lines?: number): string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Unique per test file: the Kafka topic and the database are named after it. */
  name: string;
  nodeIds?: string[];
  /** Extra settings for every node. */
  env?: Record<string, string>;
  /** Settings of one node (its own RTP ports, say), on top of `env`. */
  nodeEnv?(nodeId: string): Record<string, string>;
}

/** Log lines that say nothing about a failure: the Kafka client's, and HTTP requests that went well. */
const NOISE = [/"logger":"kafkajs"/, /"msg":"incoming request"/, /"res":\{"statusCode":[23]\d\d/];

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const safe = options.name.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
  const [postgres, kafka] = await Promise.all([
    startPostgres({ database: `confer_${safe}` }),
    startKafka({ maxHeap: '384m' }),
  ]);
  const topic = `confer.${safe}.${randomBytes(3).toString('hex')}`;
  const env: Record<string, string> = {
    EVENT_STORE: 'postgres',
    EVENT_STORE_URL: postgres.url,
    PROJECTION_STORE: 'postgres',
    PROJECTION_STORE_URL: postgres.url,
    BUS: 'kafka',
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '6',
    MEDIA: 'false',
    // Generous limits: the tests send bursts from one socket on purpose.
    SOCKET_RATE_PER_SECOND: '200',
    SOCKET_RATE_BURST: '400',
    SOCKET_RATE_PER_ADDRESS_PER_SECOND: '100000',
    SOCKET_RATE_PER_ADDRESS_BURST: '100000',
    SOCKET_CONNECTS_PER_MINUTE: '100000',
    HTTP_RATE_PER_MINUTE: '100000',
    ...options.env,
  };
  const nodes = new Map<string, ConferProcess>();

  async function startNode(id: string): Promise<ConferProcess> {
    const existing = nodes.get(id);
    if (existing) {
      if (!existing.process.running()) await existing.start();
      return existing;
    }
    const started = await startConferProcess({ ...env, ...options.nodeEnv?.(id), NODE_ID: id });
    nodes.set(id, started);
    return started;
  }

  // The first node creates the schemas and topics; the others then start side by side.
  const [first, ...rest] = options.nodeIds ?? ['a', 'b'];
  try {
    if (first) await startNode(first);
    await Promise.all(rest.map(startNode));
  } catch (error) {
    await Promise.allSettled([...nodes.values()].map((n) => n.dispose()));
    await Promise.allSettled([kafka.stop(), postgres.stop()]);
    throw error;
  }

  return {
    postgres,
    kafka,
    topic,
    env,
    node(id) {
      const found = nodes.get(id);
      if (!found) throw new Error(`no node ${id}`);
      return found;
    },
    startNode,
    logTails(lines = 120) {
      return [...nodes]
        .map(([id, n]) => {
          const file = join(n.dataDir, 'confer.log');
          const kept = existsSync(file)
            ? readFileSync(file, 'utf8')
                .split('\n')
                .filter((line) => line && !NOISE.some((noise) => noise.test(line)))
                .slice(-lines)
            : [];
          return `── node ${id}, last ${kept.length} lines of its log ──\n${kept.join('\n')}`;
        })
        .join('\n');
    },
    async stop() {
      // CONFER_TEST_LOGS=<dir> keeps each node's log (they live in data dirs removed here).
      const keep = process.env['CONFER_TEST_LOGS'];
      if (keep) {
        mkdirSync(keep, { recursive: true });
        for (const [id, n] of nodes) {
          await n.stop();
          copyFileSync(join(n.dataDir, 'confer.log'), join(keep, `${safe}-${id}.log`));
        }
      }
      await Promise.allSettled([...nodes.values()].map((n) => n.dispose()));
      await Promise.allSettled([kafka.stop(), postgres.stop()]);
    },
  };
}

export interface Health {
  ok: boolean;
  details: {
    node: string;
    leader: boolean;
    /** Holds the presence sweeper's lease. */
    sweeping: boolean;
    forwarded: number | null;
    eventStoreHead: number;
  };
}

export async function health(nodeUrl: string): Promise<Health | undefined> {
  const res = await fetch(`${nodeUrl}/healthz`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return (await res.json()) as Health;
}

/** The node whose /healthz says it holds the forwarder lease. */
export async function leaderOf(nodeUrls: string[]): Promise<string | undefined> {
  const answers = await Promise.all(nodeUrls.map(async (url) => ({ url, health: await health(url) })));
  const leaders = answers.filter((a) => a.health?.details.leader === true);
  return leaders.length === 1 ? leaders[0]!.url : undefined;
}

/** The URL a socket for `meetingId` connects to on a given node (signaling works on any node). */
export const socketUrlOn = (nodeUrl: string, meetingId: string) => `${nodeUrl}/meetings/${meetingId}`;

/** A meeting's stream as stored in PostgreSQL (the event store's default schema). */
export async function storedEvents(
  databaseUrl: string,
  meetingId: string,
): Promise<{ type: string; revision: number; data: Record<string, unknown> }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ type: string; revision: string; data: Record<string, unknown> }>(
      `SELECT type, stream_revision AS revision, data FROM event_store.events
       WHERE stream_id = $1 ORDER BY stream_revision`,
      [`meeting-${meetingId}`],
    );
    return rows.map((r) => ({ type: r.type, revision: Number(r.revision), data: r.data }));
  } finally {
    await client.end();
  }
}

/**
 * What the read models in PostgreSQL say of a meeting: the directory's chatCount (not part of the
 * REST view) and the chat history's messages, oldest first.
 */
export async function readModels(
  databaseUrl: string,
  meetingId: string,
): Promise<{ chatCount: number | undefined; chat: string[] }> {
  const store = await createPostgresProjectionStore({ connectionString: databaseUrl, poolSize: 2 });
  try {
    // Both read models are written in one transaction per batch: reading the directory after the
    // history, its count covers at least every message the history shows.
    const chat: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await chatPage(store, meetingId, {
        limit: 200,
        ...(before !== undefined ? { before } : {}),
      });
      chat.unshift(...page.messages.map((m) => m.content));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    const meeting = await getMeeting(store, meetingId);
    return { chatCount: meeting?.chatCount, chat };
  } finally {
    await store.close();
  }
}

/**
 * The node whose projections consume `meetingId`'s partition: the `projections` group's member
 * (client id `confer-<node>`) assigned the partition the bus's partitioner picks for the key.
 */
export async function projectingNode(cluster: Cluster, meetingId: string): Promise<string | undefined> {
  const kafka = new Kafka({
    clientId: 'confer-test-inspector',
    brokers: cluster.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [cluster.topic] })).topics;
    const partitionMetadata = metadata?.partitions ?? [];
    const partition = Partitioners.DefaultPartitioner()({
      topic: cluster.topic,
      partitionMetadata,
      message: { key: meetingId, value: null },
    });
    const { groups } = await admin.describeGroups(['projections']);
    const group = groups[0];
    if (group?.state !== 'Stable') return undefined;
    for (const member of group.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      if (decoded?.assignment[cluster.topic]?.includes(partition))
        return member.clientId.replace(/^confer-/, '');
    }
    return undefined;
  } finally {
    await admin.disconnect();
  }
}

/** Members of the `projections` consumer group once it is stable, by node id. */
export async function projectionMembers(cluster: Cluster): Promise<string[]> {
  const kafka = new Kafka({
    clientId: 'confer-test-inspector',
    brokers: cluster.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(['projections']);
    if (groups[0]?.state !== 'Stable') return [];
    return groups[0].members.map((m) => m.clientId.replace(/^confer-/, '')).sort();
  } finally {
    await admin.disconnect();
  }
}

export type Client = ReturnType<typeof api>;
export { api };
export type { ClientSocket };
