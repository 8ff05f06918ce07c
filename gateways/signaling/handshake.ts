import { mayAccess, standingIn } from '../../domain/access/standing';
import { ConferError } from '../../domain/shared/errors';
import type { Identity } from './connection';
import type { GatewayContext } from './gateway-context';

/**
 * Who may open a connection to a meeting: a participant token of that meeting whose holder may
 * `connect` (joined, or waiting to hear that they were admitted). The same for both framings.
 */
export async function authenticate(
  ctx: GatewayContext,
  meetingId: string,
  token: unknown,
  address: string,
): Promise<Identity> {
  if (typeof token !== 'string' || token.length === 0)
    throw new ConferError('CONFER_AUTH_MISSING', 'Connect with a token', 'token');
  const claims = await ctx.tokens.verify(token, meetingId);
  if (claims.role !== 'participant') {
    throw new ConferError(
      'CONFER_FORBIDDEN',
      'Join the meeting first (POST /meetings/{id}/join) and connect with its token',
      'token',
    );
  }
  const principal = { kind: 'participant', meetingId, participantId: claims.pid } as const;
  let { state } = await ctx.commands.load(meetingId);
  if (state.status !== 'active' || !mayAccess(standingIn(state, principal), 'connect')) {
    // The cached state may predate a join made through another node: refuse only on fresh state.
    ctx.commands.invalidate(meetingId);
    ({ state } = await ctx.commands.load(meetingId));
  }
  if (state.status === 'none') throw new ConferError('CONFER_MEETING_NOT_FOUND');
  if (state.status === 'ended') throw new ConferError('CONFER_MEETING_ENDED');
  if (!mayAccess(standingIn(state, principal), 'connect')) {
    throw new ConferError(
      'CONFER_PARTICIPANT_NOT_JOINED',
      'This participant is not in the meeting (left, denied or removed); join again',
      'token',
    );
  }
  return { meetingId, participantId: claims.pid, isHost: claims.host, exp: claims.exp, address };
}
