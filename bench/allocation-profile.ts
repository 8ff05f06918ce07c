import { z } from 'zod';
import { isOurs, sourceArea } from './cpu-profile';

/** A node of V8's sampling heap profile (`HeapProfiler.stopSampling`): bytes allocated right here. */
export interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: AllocationNode[];
}

const NodeSchema: z.ZodType<AllocationNode> = z.lazy(() =>
  z.object({
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    selfSize: z.number(),
    children: z.array(NodeSchema).optional(),
  }),
);
const ProfileSchema = z.object({ head: NodeSchema });

/** What one allocation profile says, per unit of work (a chat): the whole, and where it comes from. */
export interface AllocationSummary {
  totalBytes: number;
  bytesPerUnit: number;
  /** The allocating functions (name, where its code lives, line), largest first. */
  sites: { site: string; bytesPerUnit: number }[];
  /**
   * The same bytes by who asked for them: the innermost frame of ours on the stack (file and
   * function; `(none of ours)` for Node's and the dependencies' own work, such as reading a
   * socket), and the package or file whose code allocated them.
   */
  callers: { ours: string; allocatedIn: string; bytesPerUnit: number }[];
}

/** Parses a profile as the preload wrote it (bench/allocation-profile-preload.mjs). */
export function parseAllocationProfile(json: string): AllocationNode {
  return ProfileSchema.parse(JSON.parse(json)).head;
}

/** Totals a sampling heap profile per unit of work (`units`: the chats of the window), top `top` of each list. */
export function summarizeAllocations(head: AllocationNode, units: number, top = 25): AllocationSummary {
  const bySite = new Map<string, number>();
  const byCaller = new Map<string, { ours: string; allocatedIn: string; bytes: number }>();
  let totalBytes = 0;
  // Depth-first with an explicit stack: a profile's tree can be deeper than the call stack allows.
  const pending: { node: AllocationNode; ours: string }[] = [{ node: head, ours: '(none of ours)' }];
  while (pending.length > 0) {
    const { node, ours: above } = pending.pop()!;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = sourceArea(url, functionName);
    const ours = isOurs(url) ? `${area}:${functionName || '(anonymous)'}` : above;
    if (node.selfSize > 0) {
      totalBytes += node.selfSize;
      const site = `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      const key = `${ours}\u0000${area}`;
      const caller = byCaller.get(key) ?? { ours, allocatedIn: area, bytes: 0 };
      caller.bytes += node.selfSize;
      byCaller.set(key, caller);
    }
    for (const child of node.children ?? []) pending.push({ node: child, ours });
  }
  const perUnit = (bytes: number) => Math.round(bytes / Math.max(1, units));
  return {
    totalBytes,
    bytesPerUnit: perUnit(totalBytes),
    sites: [...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([site, bytes]) => ({ site, bytesPerUnit: perUnit(bytes) })),
    callers: [...byCaller.values()]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, top)
      .map(({ ours, allocatedIn, bytes }) => ({ ours, allocatedIn, bytesPerUnit: perUnit(bytes) })),
  };
}
