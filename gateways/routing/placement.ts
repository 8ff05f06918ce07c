import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import { isConferError } from '../../domain/shared/errors';
import type { NodeRegistry } from './node-registry';

/**
 * Media placement: a meeting's media lives on one node, chosen when someone first joins (the
 * least loaded live node that serves media) and recorded as an event, so it survives restarts.
 * When that node is gone, the next join or reconnection moves the meeting to a live node.
 */
export function createPlacement(options: {
  commands: MeetingCommandHandler;
  registry: Pick<NodeRegistry, 'live'>;
  self: { nodeId: string; url: string };
}) {
  const { commands, registry, self } = options;
  return {
    async signalingBaseUrl(meetingId: string): Promise<string> {
      const { state } = await commands.load(meetingId);
      if (state.status !== 'active') return self.url;
      const live = await registry.live();
      const current = state.mediaNode;
      if (current && live.some((n) => n.nodeId === current.nodeId)) return current.url;
      const candidates = live.filter((n) => n.media);
      const chosen = candidates.sort(
        (a, b) => a.load - b.load || Number(b.nodeId === self.nodeId) - Number(a.nodeId === self.nodeId),
      )[0] ?? {
        nodeId: self.nodeId,
        url: self.url,
      };
      try {
        const result = await commands.handle(
          meetingId,
          {
            type: 'AssignMediaNode',
            nodeId: chosen.nodeId,
            url: chosen.url,
            replacing: current?.nodeId ?? null,
          },
          { actor: { type: 'system', reason: 'placement' } },
        );
        return result.state.mediaNode?.url ?? chosen.url;
      } catch (error) {
        if (isConferError(error)) return self.url;
        throw error;
      }
    },
  };
}
