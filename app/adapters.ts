import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventStore } from '../domain/ports/event-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { createEventStoreDbEventStore } from '../infra/event-store/eventstoredb-event-store';
import { createPostgresEventStore } from '../infra/event-store/postgres-event-store';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import { createSqliteProjectionStore } from '../infra/projection-store/sqlite-projection-store';
import type { Config } from './config';

/** Picks each port's adapter from the configuration: the only place that knows them all. */
export async function createEventStore(config: Config): Promise<EventStore> {
  switch (config.EVENT_STORE) {
    case 'sqlite':
      return createSqliteEventStore({ path: join(config.DATA_DIR, 'events.db') });
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

export async function createProjectionStore(config: Config): Promise<ProjectionStore> {
  switch (config.PROJECTION_STORE) {
    case 'sqlite':
      return createSqliteProjectionStore({ path: join(config.DATA_DIR, 'read-models.db') });
    default:
      throw new Error(`PROJECTION_STORE=${config.PROJECTION_STORE} is not available in this build`);
  }
}

export async function createEventBus(config: Config, logger: Logger): Promise<EventBus> {
  switch (config.BUS) {
    case 'in-process':
      return createInProcessEventBus({
        onHandlerError: (group, error) => logger.error({ err: error, group }, 'bus consumer failed'),
      });
    default:
      throw new Error(`BUS=${config.BUS} is not available in this build`);
  }
}
