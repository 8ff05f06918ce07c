import { mayAccess, standingIn } from '../../domain/access/standing';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { ConferError } from '../../domain/shared/errors';
import { LinkRequestSchemas } from '../../protocol/node-link';
import { askNode } from '../../protocol/node-link-ask';
import type { LinkServer } from '../../protocol/node-link.port';
import {
  ClientMessageSchemas,
  serverMessage,
  type ClientMessage,
  type PeerSignalAnswer,
  type PeerSignalType,
} from '../../protocol/signaling';
import type { Connection } from './connection';
import type { GatewayContext } from './gateway-context';
import { validationError } from '../../protocol/validation-error';

const PEER_SIGNAL_REQUEST = 'peer:signal' as const;

/**
 * The design's mesh signaling (`offer`, `answer`, `ice-candidate` with `to`), relayed as is with
 * `from` set to the sender (from their token), only between present participants of one meeting.
 * Nothing is stored: these are connection setup, not meeting history. Delivered to the target's
 * connections on this node, or, when the target is connected through another node (a meeting
 * spread over several), over the node link to that node. The answer says to how many connections
 * it went; the SFU stays the web client's media path.
 */
export async function relayPeerSignal<K extends PeerSignalType>(
  ctx: GatewayContext,
  connection: Connection,
  state: MeetingState,
  type: K,
  payload: ClientMessage<K>,
): Promise<PeerSignalAnswer> {
  const { meetingId, participantId } = connection.identity;
  if (payload.to === participantId)
    throw new ConferError('CONFER_VALIDATION_FAILED', 'to: must name another participant', 'to');
  assertPresent(state, payload.to);
  const delivered = deliverHere(ctx, meetingId, participantId, type, payload);
  const node = state.participants[payload.to]?.connectedNode;
  if (delivered > 0 || !node || node === ctx.nodeId || !ctx.links) return { delivered };
  return askNode(ctx.links, node, PEER_SIGNAL_REQUEST, {
    meetingId,
    from: participantId,
    signal: type,
    payload,
  });
}

/**
 * Serves other nodes' relays: a node link is a boundary like any other, so the message is checked
 * again as the sender's own node checked it, and both people must still be in the meeting.
 */
export function peerSignalLinkServer(ctx: GatewayContext): LinkServer {
  return {
    handles: (type) => type === PEER_SIGNAL_REQUEST,
    async request(_peer, _type, raw) {
      const request = LinkRequestSchemas[PEER_SIGNAL_REQUEST].safeParse(raw);
      if (!request.success) throw validationError(request.error);
      const { meetingId, from, signal } = request.data;
      const payload = ClientMessageSchemas[signal].safeParse(request.data.payload);
      if (!payload.success) throw validationError(payload.error);
      const { state } = await ctx.commands.load(meetingId);
      assertPresent(state, from, 'from');
      assertPresent(state, payload.data.to);
      return { delivered: deliverHere(ctx, meetingId, from, signal, payload.data) };
    },
    peerGone: () => undefined,
  };
}

function assertPresent(state: MeetingState, participantId: string, field = 'to'): void {
  const standing = standingIn(state, { kind: 'participant', meetingId: state.meetingId, participantId });
  if (!mayAccess(standing, 'act'))
    throw new ConferError(
      'CONFER_PARTICIPANT_NOT_JOINED',
      `${field}: that participant is not in the meeting`,
      field,
    );
}

function deliverHere<K extends PeerSignalType>(
  ctx: GatewayContext,
  meetingId: string,
  from: string,
  type: K,
  payload: ClientMessage<K>,
): number {
  const { to, ...signal } = payload;
  const message = serverMessage(type, { from, ...signal } as never);
  const targets = ctx.hub.ofParticipant(meetingId, to);
  for (const c of targets) c.send(message);
  return targets.length;
}
