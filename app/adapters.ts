import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventStore } from '../domain/ports/event-store';
import type { LeaseManager } from '../domain/ports/lease';
import type { ObjectStore } from '../domain/ports/object-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import { createLocalLeaseManager } from '../infra/lease/local-lease';
import { createPostgresLeaseManager } from '../infra/lease/postgres-lease';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { createKafkaEventBus } from '../infra/bus/kafka-event-bus';
import { shareSubscriptions } from '../infra/bus/shared-subscription';
import { createEventStoreDbEventStore } from '../infra/event-store/eventstoredb-event-store';
import { createPostgresEventStore } from '../infra/event-store/postgres-event-store';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createPostgresProjectionStore } from '../infra/projection-store/postgres-projection-store';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import { createLocalObjectStore } from '../infra/object-store/local-files';
import { createS3ObjectStore } from '../infra/object-store/s3';
import type { Config } from './config';

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
    case 'postgres':
      return createPostgresEventStore({
        connectionString: config.EVENT_STORE_URL!,
        settingName: 'EVENT_STORE_URL',
      });
    case 'eventstoredb':
      return createEventStoreDbEventStore({
        connectionString: config.EVENT_STORE_URL!,
        settingName: 'EVENT_STORE_URL',
      });
  }
}

export async function createProjectionStore(
  config: Pick<Config, 'PROJECTION_STORE' | 'PROJECTION_STORE_URL' | 'DATA_DIR'>,
): Promise<ProjectionStore> {
  switch (config.PROJECTION_STORE) {
    case 'sqlite':
      return createSqliteProjectionStore({ path: join(config.DATA_DIR, 'read-models.db') });
    case 'postgres':
      return createPostgresProjectionStore({
        connectionString: config.PROJECTION_STORE_URL!,
        settingName: 'PROJECTION_STORE_URL',
      });
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
    case 'kafka':
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
export function createLeaseManager(config: Config, logger: Logger): LeaseManager {
  if (config.EVENT_STORE === 'postgres') {
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
export function createObjectStore(
  config: Config,
  signDownload: (key: string, expiresAtMs: number, fileName: string | undefined) => string,
): ObjectStore {
  switch (config.OBJECT_STORE) {
    case 'local':
      return createLocalObjectStore({ root: join(config.DATA_DIR, 'objects'), signDownload });
    case 's3':
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
