import type { Logger } from 'pino';
import type { NodeLinks } from '../../protocol/node-link.port';
import { createPipeServer, type PipeServer, type PipeSource } from './pipe-server';
import type { RemoteProducers } from './remote-producers';
import type { PipeListen } from './pipe-transport';

/** A meeting's media as the cascade sees it (the Room, without importing it). */
export interface CascadeRoom extends PipeSource {
  readonly remote?: Pick<RemoteProducers, 'notification' | 'linkLost'> | undefined;
}

export interface Cascade {
  /** What each room of this node pulls other nodes' producers with. */
  roomOptions: { links: NodeLinks; listen: PipeListen };
  /** Pipes other nodes pull this node's producers through. */
  server: PipeServer;
}

/**
 * A meeting cascaded over several nodes: each node serves the producers it hosts to the others
 * (the pipe server) and pulls theirs (each room's RemoteProducers), over the node links.
 * Notifications and lost links reach the rooms they concern.
 */
export function createCascade(options: {
  links: NodeLinks;
  listen: PipeListen;
  logger: Logger;
  room(meetingId: string): CascadeRoom | undefined;
  rooms(): Iterable<CascadeRoom>;
}): Cascade {
  const { links, listen, logger } = options;
  const server = createPipeServer({ room: options.room, listen, logger });
  links.serve(server);
  links.onNotification((nodeId, type, payload) => {
    const meetingId = (payload as { meetingId?: unknown } | null)?.meetingId;
    if (typeof meetingId === 'string') options.room(meetingId)?.remote?.notification(nodeId, type, payload);
  });
  links.onLinkLost((nodeId) => {
    for (const room of options.rooms()) room.remote?.linkLost(nodeId);
  });
  return { roomOptions: { links, listen }, server };
}
