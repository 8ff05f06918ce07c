import type { ProjectionReader } from '../../domain/ports/projection-store';
import {
  PRESENCE,
  PRESENCE_NODES,
  PRESENCE_RECONNECTING,
  PresenceSchema,
  type Presence,
} from './presence.model';

/** Every node that has carried a connection. */
export async function nodesWithPresence(store: ProjectionReader): Promise<string[]> {
  const nodes: string[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await store.scan(PRESENCE_NODES, { limit: 500, ...(cursor ? { cursor } : {}) });
    nodes.push(...page.map((e) => e.key));
    if (page.length < 500) return nodes;
    cursor = page[page.length - 1]?.key;
  }
}

/**
 * Up to `limit` participants filed under a node (`reconnecting`: only those shown reconnecting),
 * after `cursor` (a key from the previous page).
 */
export async function presenceOn(
  store: ProjectionReader,
  nodeId: string,
  options: { limit: number; cursor?: string; only?: 'reconnecting' },
): Promise<Array<{ key: string; presence: Presence }>> {
  const { only, ...paging } = options;
  const collection = only === 'reconnecting' ? PRESENCE_RECONNECTING : PRESENCE;
  const page = await store.range(collection, nodeId, { ...paging, order: 'asc' });
  return page.map((e) => ({ key: e.key, presence: PresenceSchema.parse(e.doc) }));
}
