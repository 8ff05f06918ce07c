import { z } from 'zod';
import type { NodeInfo } from './node-registry';

/** What a node's `/healthz` says about itself (only what the probe needs). */
const HealthSchema = z.object({
  ok: z.literal(true),
  details: z.object({ node: z.string() }),
});

/**
 * A second look at a node whose heartbeat is late: ask the node itself, at the address it last
 * wrote to the registry. A heartbeat is one write
 * to the shared store from the node's event loop, so a busy store or a long pause makes it late
 * while the node's sockets and media are fine; a node that crashed, hangs or cannot reach the
 * store does not answer in time, or answers 503. The answer counts only from the node asked
 * (its id in the body), so an address reused by another node does not vouch for the old one.
 */
export function createNodeProbe(
  options: { timeoutMs?: number } = {},
): (node: Pick<NodeInfo, 'nodeId' | 'url'>) => Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async function answers(node): Promise<boolean> {
    try {
      const response = await fetch(`${node.url.replace(/\/$/, '')}/healthz`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) return false;
      const health = HealthSchema.safeParse(await response.json());
      return health.success && health.data.details.node === node.nodeId;
    } catch {
      // Refused, reset, timed out, not JSON: no answer.
      return false;
    }
  };
}
