import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventStore } from '../domain/ports/event-store';
import type { LeaseManager } from '../domain/ports/lease';
import type { ObjectStore } from '../domain/ports/object-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import { createLocalLeaseManager } from '../infra/lease/local-lease';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { shareSubscriptions } from '../infra/bus/shared-subscription';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createLocalObjectStore } from '../infra/object-store/local-files';
import type { Config } from './config';

// The embedded adapters are imported up front; PostgreSQL, EventStoreDB, Kafka and S3 only when
// configured: their clients are ~11 MB of heap that the embedded default would otherwise keep,
// and that every full collection would mark again.

/** The embedded event store's file (EVENT_STORE=sqlite). */
export const sqliteEventsPath = (config: Pick<Config, 'DATA_DIR'>) => join(config.DATA_DIR, 'events.db');

/** Picks each port's adapter from the configuration: the only place that knows them all. */
export async function createEventStore(
  config: Config,
  observe: { batchWritten?(appends: number, seconds: number, queuedSeconds: number): void } = {},
): Promise<EventStore> {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return createSqliteEventStore({
        path: sqliteEventsPath(config),
        ...(observe.batchWritten ? { onBatchWritten: observe.batchWritten } : {}),
      });
    case 'postgres': {
      const { createPostgresEventStore } = await import('../infra/event-store/postgres-event-store');
      return createPostgresEventStore({
        connectionString: config.EVENT_STORE_URL!,
        settingName: 'EVENT_STORE_URL',
      });
    }
    case 'eventstoredb': {
      const { createEventStoreDbEventStore } = await import('../infra/event-store/eventstoredb-event-store');
      return createEventStoreDbEventStore({
        connectionString: config.EVENT_STORE_URL!,
        settingName: 'EVENT_STORE_URL',
      });
    }
  }
}

export async function createProjectionStore(
  config: Pick<Config, 'PROJECTION_STORE' | 'PROJECTION_STORE_URL' | 'DATA_DIR'>,
): Promise<ProjectionStore> {
  switch (config.PROJECTION_STORE) {
    case 'sqlite':
      return createSqliteProjectionStore({ path: join(config.DATA_DIR, 'read-models.db') });
    case 'postgres': {
      const { createPostgresProjectionStore } =
        await import('../infra/projection-store/postgres-projection-store');
      return createPostgresProjectionStore({
        connectionString: config.PROJECTION_STORE_URL!,
        settingName: 'PROJECTION_STORE_URL',
      });
    }
  }
}

/** What choosing and opening the bus takes (the read models' thread opens one of its own). */
export type BusConfig = Pick<
  Config,
  'BUS' | 'KAFKA_BROKERS' | 'KAFKA_TOPIC' | 'KAFKA_PARTITIONS' | 'KAFKA_COMMIT_INTERVAL_MS' | 'nodeId'
>;

export async function createEventBus(config: BusConfig, logger: Logger): Promise<EventBus> {
  switch (config.BUS) {
    case 'in-process':
      return createInProcessEventBus({
        onHandlerError: (group, error) => logger.error({ err: error, group }, 'bus consumer failed'),
      });
    case 'kafka': {
      const { createKafkaEventBus } = await import('../infra/bus/kafka-event-bus');
      return shareNodeLocalGroups(
        config.nodeId,
        await createKafkaEventBus({
          brokers: config.KAFKA_BROKERS!,
          clientId: `confer-${config.nodeId}`,
          topic: config.KAFKA_TOPIC,
          partitions: config.KAFKA_PARTITIONS,
          commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
          logger,
          onPoison: (reason, message) =>
            logger.warn({ reason, message }, 'poison message parked on the dead-letter topic'),
        }),
      );
    }
  }
}

/**
 * The groups that serve only this node's sockets and media transports start where the topic
 * stands, never read history, and handle a batch in memory within milliseconds: on Kafka they
 * ride on one consumer, `node-<id>`, rather than two that each fetch and decode every message on
 * the event loop that answers the sockets. The recording capture (`recording-<id>`) keeps a group
 * of its own: stopping a track uploads its last segment, and a broadcast must never wait for an
 * upload. The durable groups (read models, analytics, audit, recording pipeline) keep their own
 * offsets, so each can be rebuilt alone. The in-process bus decodes nothing and gives each group
 * its own queue: it stays as it is.
 */
function shareNodeLocalGroups(nodeId: string, bus: EventBus): EventBus {
  const local = new Set(['signaling', 'media'].map((part) => `${part}-${nodeId}`));
  return shareSubscriptions(bus, {
    group: `node-${nodeId}`,
    shares: (options) => local.has(options.group) && options.fromBeginning !== true,
  });
}

/** Leases live where the shared event store lives; the embedded store serves one process. */
export async function createLeaseManager(config: Config, logger: Logger): Promise<LeaseManager> {
  if (config.EVENT_STORE === 'postgres') {
    const { createPostgresLeaseManager } = await import('../infra/lease/postgres-lease');
    return createPostgresLeaseManager({
      connectionString: config.EVENT_STORE_URL!,
      onError: (error) => logger.warn({ err: error }, 'lease connection error'),
    });
  }
  return createLocalLeaseManager();
}

/**
 * Where recordings are kept. Local files need the server's own signed download route
 * (`signDownload`); S3 pre-signs its own URLs.
 */
export async function createObjectStore(
  config: Config,
  signDownload: (key: string, expiresAtMs: number, fileName: string | undefined) => string,
): Promise<ObjectStore> {
  switch (config.OBJECT_STORE) {
    case 'local':
      return createLocalObjectStore({ root: join(config.DATA_DIR, 'objects'), signDownload });
    case 's3': {
      const { createS3ObjectStore } = await import('../infra/object-store/s3');
      return createS3ObjectStore({
        bucket: config.S3_BUCKET!,
        region: config.S3_REGION,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
        ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? {
              credentials: {
                accessKeyId: config.S3_ACCESS_KEY_ID,
                secretAccessKey: config.S3_SECRET_ACCESS_KEY,
              },
            }
          : {}),
      });
    }
  }
}
