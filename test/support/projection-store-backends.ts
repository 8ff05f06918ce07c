import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import { createPostgresProjectionStore } from '../../infra/projection-store/postgres-projection-store';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { startPostgres, type PostgresServer } from './postgres-server';

/**
 * A kind of projection store the projection specs run against: the same specs, every adapter.
 * Each `open()` gives a store over a database of its own (nothing to clean between tests); stores
 * opened with the same `shared` name share one database, as two nodes do.
 */
export interface ProjectionStoreBackend {
  readonly name: string;
  open(shared?: string): Promise<ProjectionStore>;
  /** Brings up what the backend needs (a PostgreSQL server); open() does it when needed. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function sqliteBackend(): ProjectionStoreBackend {
  let dir: string | undefined;
  return {
    name: 'SQLite',
    async start() {
      dir ??= mkdtempSync(join(tmpdir(), 'confer-read-models-'));
    },
    async open(shared) {
      await this.start();
      return createSqliteProjectionStore({ path: join(dir!, `${shared ?? randomUUID()}.read.db`) });
    },
    async stop() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

/** One PostgreSQL server for the file; each database is a schema of it. */
export function postgresBackend(): ProjectionStoreBackend {
  let server: Promise<PostgresServer> | undefined;
  const sharedSchemas = new Map<string, string>();
  const newSchema = () => `read_${randomUUID().replaceAll('-', '')}`;
  return {
    name: 'PostgreSQL',
    async start() {
      server ??= startPostgres();
      await server;
    },
    async open(shared) {
      await this.start();
      let schema = shared === undefined ? newSchema() : sharedSchemas.get(shared);
      if (schema === undefined) {
        schema = newSchema();
        sharedSchemas.set(shared!, schema);
      }
      return createPostgresProjectionStore({ connectionString: (await server!).url, schema, poolSize: 3 });
    },
    async stop() {
      const started = server;
      server = undefined;
      await (await started)?.stop();
    },
  };
}

/**
 * Both adapters, for `describe.each(backends)('… on $name', (backend) => …)`. Call it at the top of
 * a test file: it stops the backends once the file's tests are done. A backend starts when first
 * opened (so a spec filtered out costs no server).
 */
export function projectionStoreBackends(): ProjectionStoreBackend[] {
  const backends = [sqliteBackend(), postgresBackend()];
  afterAll(async () => {
    await Promise.all(backends.map((b) => b.stop()));
  });
  return backends;
}
