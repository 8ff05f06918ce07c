import { mayAccess, standingIn, type Access, type Standing } from '../../domain/access/standing';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { ConferError } from '../../domain/shared/errors';
import type { ClientMessageType } from '../../protocol/signaling';
import type { Identity } from './connection';
import type { GatewayContext } from './gateway-context';

/** A host's or co-host's (the decider then refuses a co-host what only a host may do to whom). */
const MODERATOR_MESSAGES: ReadonlySet<ClientMessageType> = new Set([
  'admit',
  'deny',
  'mute-participant',
  'remove-participant',
  'mute-all',
  'ask-unmute',
  'allow-back',
]);
/** The host's alone. */
const HOST_MESSAGES: ReadonlySet<ClientMessageType> = new Set(['end-meeting', 'set-co-host', 'lock-meeting']);

/** What a message needs of its sender (domain/access/standing.ts decides who has it). */
export function accessFor(type: ClientMessageType): Access {
  if (type === 'join' || type === 'leave') return 'connect';
  if (MODERATOR_MESSAGES.has(type)) return 'moderate';
  return HOST_MESSAGES.has(type) ? 'host-act' : 'act';
}

function refusal(standing: Standing, access: Access): ConferError {
  if (standing === 'waiting')
    return new ConferError('CONFER_PARTICIPANT_NOT_JOINED', 'Wait until the host admits you', 'type');
  if (standing === 'participant' && access === 'moderate')
    return new ConferError('CONFER_FORBIDDEN', 'Only a host or co-host may do this', 'type');
  if ((standing === 'participant' || standing === 'co-host') && access === 'host-act')
    return new ConferError('CONFER_FORBIDDEN', 'Only a host may do this', 'type');
  return new ConferError(
    'CONFER_PARTICIPANT_NOT_JOINED',
    'This participant is not in the meeting (left, denied or removed)',
    'token',
  );
}

/**
 * Checks the sender's standing in the meeting for one message, cheaply: the cached state first,
 * and only a refusal is confirmed on fresh state (a change through another node may lag here).
 */
export async function checkStanding(
  ctx: GatewayContext,
  identity: Identity,
  type: ClientMessageType,
): Promise<MeetingState> {
  const access = accessFor(type);
  const principal = {
    kind: 'participant',
    meetingId: identity.meetingId,
    participantId: identity.participantId,
  } as const;
  let state =
    ctx.commands.peek(identity.meetingId)?.state ?? (await ctx.commands.load(identity.meetingId)).state;
  if (state.status === 'active' && mayAccess(standingIn(state, principal), access)) return state;
  ctx.commands.invalidate(identity.meetingId);
  state = (await ctx.commands.load(identity.meetingId)).state;
  if (state.status === 'ended') throw new ConferError('CONFER_MEETING_ENDED');
  const standing = standingIn(state, principal);
  if (!mayAccess(standing, access)) throw refusal(standing, access);
  return state;
}
