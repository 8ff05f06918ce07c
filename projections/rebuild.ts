import type { ProjectionStore, ProjectionWriter } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';
import {
  LEGACY_CHECKPOINTS,
  MEETING_CHECKPOINTS,
  POSITIONS,
  READ_MODELS_GROUP,
  type MeetingCheckpoints,
  type ProjectionPosition,
} from './checkpoints';
import {
  assertValidProjections,
  createProjectionRunner,
  type Projection,
  type ProjectionLogger,
} from './projection';

export interface RebuildOptions {
  store: ProjectionStore;
  /** The projections to rebuild; others sharing the store are left alone. */
  projections: readonly Projection[];
  /** Events with a global position strictly after `after`, oldest first (EventStore.readAll). */
  readAll(after: number, maxCount: number): Promise<StoredEvent[]>;
  /** Global position of the newest event when the rebuild starts: the progress total. */
  head: number;
  onProgress?(done: number, total: number): void;
  /** Events per page, and so per projection store transaction. */
  pageSize?: number;
  /** The checkpoint group the live runner of these projections uses (default: the read models'). */
  group?: string;
  logger?: ProjectionLogger;
}

export interface RebuildResult {
  events: number;
  /** Global position of the last event replayed (0: the store was empty). */
  position: number;
}

/**
 * Rebuilds read models from position zero: clears the projections' collections and checkpoints,
 * then replays every event in pages, one transaction per page. Meant to run while nothing else
 * projects into these collections (the server stopped). Interrupted, it leaves a consistent but
 * partial read model (checkpoints match the data): run it again.
 */
export async function rebuild(options: RebuildOptions): Promise<RebuildResult> {
  const { store, projections, head } = options;
  assertValidProjections(projections);
  const pageSize = options.pageSize ?? 1000;
  const group = options.group ?? READ_MODELS_GROUP;
  await store.transaction((tx) => reset(tx, projections, group));

  const runner = createProjectionRunner({
    store,
    projections,
    group,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  let position = 0;
  let events = 0;
  options.onProgress?.(0, head);
  for (;;) {
    const page = await options.readAll(position, pageSize);
    if (page.length === 0) break;
    await runner.handle(page);
    position = page[page.length - 1]!.globalPosition;
    events += page.length;
    // Events appended after the rebuild began are replayed too; the total grows to include them.
    options.onProgress?.(position, Math.max(head, position));
  }
  return { events, position };
}

async function reset(tx: ProjectionWriter, projections: readonly Projection[], group: string): Promise<void> {
  for (const projection of projections) {
    for (const collection of projection.collections) await tx.clear(collection);
    await deletePartition(tx, LEGACY_CHECKPOINTS, projection.name);
    const empty: ProjectionPosition = { position: 0, version: projection.version };
    await tx.put(POSITIONS, '', projection.name, empty);
  }
  await forgetInGroup(tx, group, new Set(projections.map((p) => p.name)));
}

/**
 * Removes the rebuilt projections' entries from every meeting's checkpoint document of the group,
 * keeping the entries of the group's other projections (a rebuild of some of them).
 */
async function forgetInGroup(tx: ProjectionWriter, group: string, names: ReadonlySet<string>): Promise<void> {
  let cursor: string | undefined;
  for (;;) {
    const page = await tx.range<MeetingCheckpoints>(MEETING_CHECKPOINTS, group, {
      order: 'asc',
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    if (page.length === 0) return;
    for (const { key, doc } of page) {
      const kept = Object.fromEntries(Object.entries(doc).filter(([name]) => !names.has(name)));
      if (Object.keys(kept).length === 0) await tx.delete(MEETING_CHECKPOINTS, group, key);
      else await tx.put(MEETING_CHECKPOINTS, group, key, kept);
    }
    cursor = page[page.length - 1]!.key;
  }
}

/** The port clears whole collections only; a projection's checkpoints are one partition of one. */
async function deletePartition(tx: ProjectionWriter, collection: string, partition: string): Promise<void> {
  for (;;) {
    const page = await tx.range(collection, partition, { order: 'asc', limit: 1000 });
    if (page.length === 0) return;
    for (const entry of page) await tx.delete(collection, partition, entry.key);
  }
}
