import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { MeetingState } from '../domain/meeting/meeting.state';
import type { Actor } from '../domain/shared/actor';
import { isConferError } from '../domain/shared/errors';
import type { NodeInfo, NodeRegistry } from './node-registry';

const placementActor: Actor = { type: 'system', reason: 'placement' };

export interface Placement {
  /**
   * The base URL of the node a participant's socket goes to (their signaling and media), placing
   * them when they have no live node yet; without a participant, the meeting's media node.
   */
  signalingBaseUrl(meetingId: string, participantId?: string): Promise<string>;
}

/**
 * Media placement. A meeting has a media node, chosen when someone first joins (the least loaded
 * live node that serves media) and recorded as an event, so it survives restarts; when that node
 * is gone, the next join or reconnection moves it to a live node. Each participant is placed too
 * (ParticipantPlaced): on the meeting's node until it carries `perNode` of the meeting's
 * participants, then on other nodes, whose SFUs pipe their media to each other (media/cascade).
 * The decider counts the places from the stream, so a burst of joins is placed exactly.
 */
export function createPlacement(options: {
  commands: MeetingCommandHandler;
  registry: Pick<NodeRegistry, 'live'>;
  self: { nodeId: string; url: string };
  perNode: number;
}): Placement {
  const { commands, registry, self, perNode } = options;

  /**
   * Live media nodes, least loaded first (this node first among equals). Where no node serves
   * media there is no media load to spread: this node first, then the other live ones.
   */
  async function candidates(): Promise<Array<{ nodeId: string; url: string }>> {
    const live = await registry.live();
    const media = live.filter((n) => n.media);
    const isSelf = (n: Pick<NodeInfo, 'nodeId'>) => Number(n.nodeId === self.nodeId);
    const ordered: Array<Pick<NodeInfo, 'nodeId' | 'url' | 'load'>> =
      media.length > 0
        ? media.sort((a, b) => a.load - b.load || isSelf(b) - isSelf(a))
        : [
            { nodeId: self.nodeId, url: self.url, load: 0 },
            ...live.filter((n) => n.nodeId !== self.nodeId).sort((a, b) => a.load - b.load),
          ];
    return ordered.map(({ nodeId, url }) => ({ nodeId, url }));
  }

  /** The meeting's media node, (re)assigned when it has none or its node is gone. */
  async function home(meetingId: string, state: MeetingState, live: Array<{ nodeId: string; url: string }>) {
    const current = state.mediaNode;
    if (current && live.some((n) => n.nodeId === current.nodeId)) return current;
    const chosen = live[0] ?? self;
    try {
      const result = await commands.handle(
        meetingId,
        { type: 'AssignMediaNode', ...chosen, replacing: current?.nodeId ?? null },
        { actor: placementActor },
      );
      return result.state.mediaNode ?? chosen;
    } catch (error) {
      if (isConferError(error)) return self;
      throw error;
    }
  }

  return {
    async signalingBaseUrl(meetingId, participantId) {
      const { state } = await commands.load(meetingId);
      if (state.status !== 'active') return self.url;
      const live = await candidates();
      const meetingNode = await home(meetingId, state, live);
      if (participantId === undefined) return meetingNode.url;
      try {
        const result = await commands.handle(
          meetingId,
          { type: 'PlaceParticipant', participantId, candidates: live, perNode },
          { actor: placementActor },
        );
        return result.state.participants[participantId]?.placedNode?.url ?? meetingNode.url;
      } catch (error) {
        // Not (or no longer) in the meeting: the socket will be refused with the reason.
        if (isConferError(error)) return meetingNode.url;
        throw error;
      }
    },
  };
}
