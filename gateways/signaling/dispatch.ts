import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import { ConferError, isConferError } from '../../domain/shared/errors';
import type { Ack } from '../../protocol/ack';
import {
  ClientMessageSchemas,
  isClientMessageType,
  isPeerSignalType,
  serverMessage,
  type ClientAnswers,
  type ClientMessage,
  type ClientMessageType,
} from '../../protocol/signaling';
import { validationError } from '../../protocol/validation-error';
import type { Connection } from './connection';
import { errorBody, type GatewayContext } from './gateway-context';
import { join } from './join';
import { commandFor, isMeetingMessage } from './meeting-messages';
import { relayPeerSignal } from './peer-relay';
import { checkStanding } from './standing-check';
import { messageAnswered, messageReceived, type TracedAnswer, type TracedMessage } from './trace-channels';

/** The token ran out: the connection is told, then ended. */
export function expire(connection: Connection): void {
  connection.send(
    serverMessage('error', { code: 'CONFER_AUTH_INVALID', message: 'The token has expired', field: 'token' }),
  );
  connection.close();
}

/**
 * A message answered without an acknowledgement (no `id`, no callback): a failure is still told
 * as an `error` message, and a `join` still gets its answer, as a `joined` message, since a client
 * that printed the design's join has no other way to learn who is in the meeting.
 */
export function answerUnacknowledged(connection: Connection, type: string, response: Ack): void {
  if (!response.ok) connection.send(serverMessage('error', response.error));
  else if (type === 'join') connection.send(serverMessage('joined', response.data as ClientAnswers['join']));
}

/**
 * The design's form carries `type` inside the message (`{"type": "chat", "message": "Hi"}`): it
 * may, and must then name the message it is sent as. Any other unknown field is still refused by
 * the message's strict schema.
 */
function withoutType(type: ClientMessageType, payload: unknown): unknown {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload) || !('type' in payload)) return payload;
  const { type: declared, ...rest } = payload as { type: unknown };
  if (declared !== type)
    throw new ConferError(
      'CONFER_VALIDATION_FAILED',
      `type: must be "${type}", the message's own type`,
      'type',
    );
  return rest;
}

/**
 * One client message, whichever framing brought it: the token's expiry, the sender's budgets, the
 * payload's schema and the sender's standing are checked before it does anything; the answer is
 * its typed data or a coded error, never a throw.
 */
export async function dispatch(
  ctx: GatewayContext,
  connection: Connection,
  type: string,
  payload: unknown,
): Promise<Ack> {
  if (messageReceived.hasSubscribers) messageReceived.publish({ type, payload } satisfies TracedMessage);
  try {
    if (!isClientMessageType(type))
      throw new ConferError('CONFER_UNKNOWN_MESSAGE', `Unknown message type "${type}"`, 'type');
    if (ctx.now() >= connection.identity.exp * 1000) {
      setImmediate(() => expire(connection));
      throw new ConferError('CONFER_AUTH_INVALID', 'The token has expired', 'token');
    }
    ctx.limits.message(connection.identity, type);
    const parsed = ClientMessageSchemas[type].safeParse(withoutType(type, payload));
    if (!parsed.success) throw validationError(parsed.error);
    const data = await handle(ctx, connection, type, parsed.data);
    if (messageAnswered.hasSubscribers)
      messageAnswered.publish({ type, payload, ok: true } satisfies TracedAnswer);
    ctx.metrics?.messages(type, 'ok');
    return { ok: true, data };
  } catch (error) {
    if (!isConferError(error))
      ctx.logger.error(
        { err: error, type, meetingId: connection.identity.meetingId },
        'socket message failed',
      );
    ctx.metrics?.messages(isClientMessageType(type) ? type : 'unknown', 'error');
    if (messageAnswered.hasSubscribers)
      messageAnswered.publish({ type, payload, ok: false } satisfies TracedAnswer);
    return { ok: false, error: errorBody(error) };
  }
}

async function handle<K extends ClientMessageType>(
  ctx: GatewayContext,
  connection: Connection,
  type: K,
  payload: ClientMessage<K>,
): Promise<ClientAnswers[K]> {
  const state = await checkStanding(ctx, connection.identity, type);
  const { meetingId, participantId } = connection.identity;
  // The meeting's history says who is host now (a participant may have been handed the role
  // after their token was issued); the token's claim alone no longer decides.
  const self = state.participants[participantId];
  const isHost = self?.status === 'joined' && self.role === 'host';
  // Each branch narrows `type`; the answers map ties each to its answer's type. Straight-line
  // returns rather than an inner async closure: one promise and frame fewer for every message.
  if (type === 'join')
    return (await join(ctx, connection, payload as ClientMessage<'join'>)) as ClientAnswers[K];
  if (isPeerSignalType(type))
    return (await relayPeerSignal(ctx, connection, state, type, payload as never)) as ClientAnswers[K];
  if (isMeetingMessage(type)) {
    const command: MeetingCommand = commandFor(type, payload as never, participantId, ctx.ids);
    const result = await ctx.commands.handle(meetingId, command, {
      actor: { type: 'participant', participantId, isHost },
      correlationId: ctx.ids.eventId(),
    });
    return { seq: result.revision } as ClientAnswers[K];
  }
  if (!ctx.media?.available) throw new ConferError('CONFER_MEDIA_UNAVAILABLE');
  return (await ctx.media.handle(type as never, payload as never, {
    meetingId,
    participantId,
    channel: {
      emit: (event, data) => {
        const message = serverMessage(event, data);
        for (const c of ctx.hub.ofParticipant(meetingId, participantId)) c.send(message);
      },
    },
  })) as ClientAnswers[K];
}
