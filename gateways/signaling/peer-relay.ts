import { mayAccess, standingIn } from '../../domain/access/standing';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { ConferError } from '../../domain/shared/errors';
import { serverMessage, type ClientMessage, type PeerSignalType } from '../../protocol/signaling';
import type { Connection } from './connection';
import type { GatewayContext } from './gateway-context';

/**
 * The design's mesh signaling (`offer`, `answer`, `ice-candidate` with `to`), relayed as is with
 * `from` set to the sender (from their token), only between present participants of one meeting.
 * Nothing is stored: these are connection setup, not meeting history. Delivered to the target's
 * connections on this node (the answer says how many); the SFU stays the web client's media path.
 */
export function relayPeerSignal<K extends PeerSignalType>(
  ctx: GatewayContext,
  connection: Connection,
  state: MeetingState,
  type: K,
  payload: ClientMessage<K>,
): { delivered: number } {
  const { meetingId, participantId } = connection.identity;
  if (payload.to === participantId)
    throw new ConferError('CONFER_VALIDATION_FAILED', 'to: must name another participant', 'to');
  const target = standingIn(state, { kind: 'participant', meetingId, participantId: payload.to });
  if (!mayAccess(target, 'act'))
    throw new ConferError(
      'CONFER_PARTICIPANT_NOT_JOINED',
      'to: that participant is not in the meeting',
      'to',
    );
  const { to: _to, ...signal } = payload;
  const message = serverMessage(type, { from: participantId, ...signal } as never);
  const targets = ctx.hub.ofParticipant(meetingId, payload.to);
  for (const c of targets) c.send(message);
  return { delivered: targets.length };
}
