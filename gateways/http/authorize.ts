import type { FastifyRequest } from 'fastify';
import {
  mayAccess,
  standingIn,
  type Access,
  type Principal,
  type Standing,
} from '../../domain/access/standing';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { ConferError } from '../../domain/shared/errors';
import { principalOf, type TokenClaims, type TokenService } from '../auth/tokens';
import { bearerToken } from './bearer';

export interface AccessDeps {
  tokens: TokenService;
  /**
   * The meeting's current state and the revision it folds up to (the command handler's cached
   * fold of its stream: every event this node appended or saw on the bus).
   */
  meeting(meetingId: string): Promise<{ state: MeetingState; revision: number }>;
}

export interface Caller {
  claims: TokenClaims | undefined;
  principal: Principal;
}

export interface Authorized extends Caller {
  standing: Standing;
  state: MeetingState;
  /** The stream revision `state` folds up to: what a read must include to agree with it. */
  revision: number;
}

/** Who is calling (anonymous without a token); a bad token is an error, never anonymous. */
export async function callerOf(
  request: FastifyRequest,
  tokens: TokenService,
  meetingId?: string,
): Promise<Caller> {
  const token = bearerToken(request);
  const claims = token ? await tokens.verify(token, meetingId) : undefined;
  return { claims, principal: principalOf(claims) };
}

/**
 * The one check every meeting route makes: the caller's standing in the meeting (from its state,
 * not from the token alone) must allow `access`. Throws 401 without a token, 403 with one that
 * does not stand high enough, 404 when the meeting does not exist.
 */
export async function authorize(
  request: FastifyRequest,
  deps: AccessDeps,
  meetingId: string,
  access: Access,
): Promise<Authorized> {
  const caller = await callerOf(request, deps.tokens, meetingId);
  // Without a token only a meeting's summary is ever readable: say so before whether it exists.
  if (!caller.claims && access !== 'read-summary')
    throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
  const { state, revision } = await deps.meeting(meetingId);
  if (state.status === 'none') throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
  const standing = standingIn(state, caller.principal);
  if (!mayAccess(standing, access)) {
    if (!caller.claims) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
    throw new ConferError('CONFER_FORBIDDEN', forbiddenMessage(standing, access), 'authorization');
  }
  // Not a spread with new keys: a hidden class of its own per request on Node 20's V8
  // (docs/capacity.md, twenty-second session).
  return Object.assign({}, caller, { standing, state, revision });
}

function forbiddenMessage(standing: Standing, access: Access): string {
  switch (standing) {
    case 'waiting':
      return 'You are in the waiting room until the host admits you';
    case 'denied':
      return 'The host did not admit you to this meeting';
    case 'removed':
      return 'You were removed from this meeting';
    case 'left':
      return 'You have left this meeting; join again';
    default:
      return `This credential (${standing}) may not ${access.replace('-', ' ')}`;
  }
}
