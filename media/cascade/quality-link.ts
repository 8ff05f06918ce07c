import type { ConnectionQuality } from '../../protocol/signaling';
import { LinkRequestSchemas } from '../../protocol/node-link';
import { askNode } from '../../protocol/node-link-ask';
import type { LinkServer, NodeLinks } from '../../protocol/node-link.port';
import { validationError } from '../../protocol/validation-error';

type Figures = Readonly<Record<string, ConnectionQuality>>;

/**
 * Answers other nodes' `quality:read`: the figures this node last measured of a meeting's people
 * (those whose media it carries), or none when it carries none of them.
 */
export function qualityLinkServer(latest: (meetingId: string) => Figures | undefined): LinkServer {
  return {
    handles: (type) => type === 'quality:read',
    async request(_peer, _type, raw) {
      const request = LinkRequestSchemas['quality:read'].safeParse(raw);
      if (!request.success) throw validationError(request.error);
      return { participants: latest(request.data.meetingId) ?? {} };
    },
    peerGone: () => undefined,
  };
}

/**
 * The figures the other nodes of a meeting measured of their people, merged: each node is asked
 * once, and one that does not answer (down, slow, an older version) is simply left out this time.
 */
export async function readRemoteQuality(
  links: NodeLinks,
  meetingId: string,
  nodeIds: Iterable<string>,
): Promise<Record<string, ConnectionQuality>> {
  const answers = await Promise.allSettled(
    [...new Set(nodeIds)].map((nodeId) => askNode(links, nodeId, 'quality:read', { meetingId })),
  );
  const merged: Record<string, ConnectionQuality> = {};
  for (const answer of answers)
    if (answer.status === 'fulfilled') Object.assign(merged, answer.value.participants);
  return merged;
}
