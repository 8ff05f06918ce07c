import { mayAccess, standingIn } from '../../domain/access/standing';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { meetingStreamId } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import { serverMessage, type JoinResult } from '../../protocol/signaling';
import type { Connection } from './connection';
import type { GatewayContext } from './gateway-context';
import { barredViews, participantViewFromState, Rooms, translateEvent } from './event-messages';

/** Puts a connection in the rooms its participant's place in the meeting gives. */
export function placeInRooms(connection: Connection, state: MeetingState | undefined): void {
  const self = state?.participants[connection.identity.participantId];
  if (self?.status === 'joined') {
    connection.rooms.add(Rooms.joined);
    // Hosts and co-hosts hear the waiting room (the meeting's roles, not the token's claim).
    if (self.role === 'host' || self.role === 'co-host') connection.rooms.add(Rooms.hosts);
  }
}

/**
 * `join`: marks the participant connected through this node and answers with the meeting as it is
 * now; what the client missed after `lastSeq` follows as ordinary messages. A waiting participant
 * may not read the meeting yet: their answer names nobody else (and no chat is ever replayed to
 * them, since they are in none of the meeting's rooms).
 */
export async function join(
  ctx: GatewayContext,
  connection: Connection,
  payload: { lastSeq?: number | undefined; participantId?: string | undefined },
): Promise<JoinResult> {
  const { meetingId, participantId } = connection.identity;
  if (payload.participantId && payload.participantId !== participantId)
    throw new ConferError(
      'CONFER_FORBIDDEN',
      'participantId: not the participant of this token',
      'participantId',
    );
  const { state, revision } = await ctx.commands.handle(
    meetingId,
    { type: 'SetConnectionStatus', participantId, connectionStatus: 'connected', nodeId: ctx.nodeId },
    {
      actor: { type: 'participant', participantId, isHost: connection.identity.isHost },
      correlationId: ctx.ids.eventId(),
    },
  );
  placeInRooms(connection, state);
  const self = participantViewFromState(state, participantId);
  if (!self) throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND');
  const reads = mayAccess(
    standingIn(state, { kind: 'participant', meetingId, participantId }),
    'read-meeting',
  );
  const moderates = self.role === 'host' || self.role === 'co-host';
  const views = Object.keys(state.participants)
    .map((id) => participantViewFromState(state, id))
    .filter((p): p is NonNullable<typeof p> => p !== undefined);
  const replayed =
    payload.lastSeq !== undefined && payload.lastSeq < revision
      ? await replay(ctx, connection, payload.lastSeq, revision)
      : 0;
  return {
    self,
    meeting: {
      meetingId,
      title: state.title,
      status: state.status === 'ended' ? 'ended' : 'active',
      waitingRoom: state.settings.waitingRoom,
      locked: state.locked,
    },
    participants: reads ? views.filter((p) => p.status === 'joined') : [],
    waiting: reads && moderates ? views.filter((p) => p.status === 'waiting') : [],
    barred: reads && moderates ? barredViews(state) : [],
    activeSpeakerId: reads ? state.activeSpeakerId : null,
    spotlightId: reads ? state.spotlightId : null,
    seq: revision,
    replayed,
    media: ctx.media?.available ?? false,
    recording: state.activeRecordingId !== null,
    recordingId: state.activeRecordingId,
  };
}

/** Sends this connection what it missed in (lastSeq, upTo], as it would have received it live. */
async function replay(
  ctx: GatewayContext,
  connection: Connection,
  lastSeq: number,
  upTo: number,
): Promise<number> {
  const { meetingId } = connection.identity;
  const missed = await ctx.store.readStream(meetingStreamId(meetingId), {
    fromRevision: lastSeq + 1,
    maxCount: upTo - lastSeq,
  });
  const state = ctx.commands.peek(meetingId)?.state;
  let sent = 0;
  for (const event of missed) {
    for (const message of translateEvent(event, state).messages) {
      if (!message.to.some((room) => connection.rooms.has(room))) continue;
      connection.send(serverMessage(message.event, message.payload));
      sent++;
    }
  }
  return sent;
}
