import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/actor';
import { ConferError } from '../../domain/shared/errors';

/**
 * Host and participant tokens: HS256 JWTs signed with the deployment's secret, each bound to one
 * meeting and expiring. The acting participant of every command is taken from here.
 */
export const TokenClaimsSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('host'), mid: z.string().min(1) }),
  z.object({
    role: z.literal('participant'),
    mid: z.string().min(1),
    pid: z.string().min(1),
    host: z.boolean(),
  }),
]);
export type TokenClaims = z.infer<typeof TokenClaimsSchema>;

export interface TokenService {
  issueHostToken(meetingId: string): Promise<string>;
  issueParticipantToken(meetingId: string, participantId: string, isHost: boolean): Promise<string>;
  /** Verifies signature, expiry and (when given) the meeting; throws a coded ConferError. */
  verify(token: string, meetingId?: string): Promise<TokenClaims>;
}

const HOST_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export function createTokenService(options: { secret: string; participantTtlSeconds: number }): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const sign = (claims: TokenClaims, ttlSeconds: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(key);

  return {
    issueHostToken: (meetingId) => sign({ role: 'host', mid: meetingId }, HOST_TOKEN_TTL_SECONDS),
    issueParticipantToken: (meetingId, participantId, isHost) =>
      sign(
        { role: 'participant', mid: meetingId, pid: participantId, host: isHost },
        options.participantTtlSeconds,
      ),
    async verify(token, meetingId) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
      } catch (error) {
        const expired = error instanceof joseErrors.JWTExpired;
        throw new ConferError(
          'CONFER_AUTH_INVALID',
          expired ? 'The token has expired' : 'The token is not valid',
          'token',
        );
      }
      const claims = TokenClaimsSchema.safeParse(payload);
      if (!claims.success)
        throw new ConferError('CONFER_AUTH_INVALID', 'The token is not a Confer token', 'token');
      if (meetingId !== undefined && claims.data.mid !== meetingId)
        throw new ConferError('CONFER_AUTH_WRONG_MEETING', undefined, 'token');
      return claims.data;
    },
  };
}

export function actorFromClaims(claims: TokenClaims): Actor {
  return claims.role === 'host'
    ? { type: 'host' }
    : { type: 'participant', participantId: claims.pid, isHost: claims.host };
}
