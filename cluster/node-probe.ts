import { z } from 'zod';
import type { NodeInfo } from './node-registry';

/** What a node's `/healthz` says about itself (only what the probe needs). */
const HealthSchema = z.object({
  ok: z.literal(true),
  details: z.object({ node: z.string() }),
});

/**
 * A second look at a node whose heartbeat is late: ask the node itself. A heartbeat is one write
 * to the shared store from the node's event loop, so a busy store or a long pause makes it late
 * while the node's sockets and media are fine; a node that crashed, hangs or cannot reach the
 * store does not answer in time, or answers 503. The answer counts only from the node asked
 * (its id in the body), so an address reused by another node does not vouch for the old one.
 */
export function createNodeProbe(options: {
  /** Every node the registry has a document for, live or not (its last known address). */
  known(): Promise<NodeInfo[]>;
  timeoutMs?: number;
}): (nodeId: string) => Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async function answers(nodeId: string): Promise<boolean> {
    const node = (await options.known()).find((n) => n.nodeId === nodeId);
    if (!node) return false;
    try {
      const response = await fetch(`${node.url.replace(/\/$/, '')}/healthz`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) return false;
      const health = HealthSchema.safeParse(await response.json());
      return health.success && health.data.details.node === nodeId;
    } catch {
      // Refused, reset, timed out, not JSON: no answer.
      return false;
    }
  };
}
