import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { projectionSpecWorld, type ProjectionSpecWorld } from '../../projections/projection.spec-helper';
import { projectionStoreBackends, type ProjectionStoreBackend } from './projection-store-backends';

/**
 * What every projection spec file sets up: both projection stores to run against, and a fresh
 * world per test (its own SQLite event store and read-model database), closed after the test.
 * Call at the top of a spec file.
 */
export function projectionSpecWorlds(name: string): {
  backends: ProjectionStoreBackend[];
  given(backend: ProjectionStoreBackend): Promise<ProjectionSpecWorld>;
} {
  const dir = mkdtempSync(join(tmpdir(), `confer-${name}-`));
  const open: ProjectionSpecWorld[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    backends: projectionStoreBackends(),
    async given(backend) {
      const world = projectionSpecWorld({
        events: createSqliteEventStore({ path: join(dir, `${randomUUID()}.events.db`) }),
        store: await backend.open(),
      });
      open.push(world);
      return world;
    },
  };
}
