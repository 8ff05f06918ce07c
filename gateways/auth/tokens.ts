import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { hs256Key } from './hs256-key';
import { z } from 'zod';
import type { Principal } from '../../domain/access/standing';
import type { Actor } from '../../domain/shared/actor';
import { ConferError } from '../../domain/shared/errors';

/**
 * Credentials: HS256 JWTs signed with the deployment's secret, each expiring (a token without
 * `exp` is refused). Host and participant tokens are bound to one meeting; the acting participant
 * of every command is taken from here. Operators mint the other roles with `confer token create`
 * (operator, user, auditor, analyst), the last two scoped to one meeting or to all, like LiveKit's
 * grants. A token says who the caller is; the meeting's state decides what they may do
 * (domain/access/standing.ts).
 */
const exp = z.number().int();
const scope = z.string().min(1).optional();
export const TokenClaimsSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('host'), mid: z.string().min(1), exp }),
  z.object({
    role: z.literal('participant'),
    mid: z.string().min(1),
    pid: z.string().min(1),
    host: z.boolean(),
    exp,
  }),
  z.object({ role: z.literal('operator'), exp }),
  z.object({ role: z.literal('user'), uid: z.string().min(1), exp }),
  z.object({ role: z.literal('auditor'), mid: scope, exp }),
  z.object({ role: z.literal('analyst'), mid: scope, exp }),
]);
export type TokenClaims = z.infer<typeof TokenClaimsSchema>;
export type CredentialRole = 'operator' | 'user' | 'auditor' | 'analyst';

export interface CredentialRequest {
  role: CredentialRole;
  /** auditor / analyst: one meeting (absent: every meeting). */
  meetingId?: string;
  /** user: whose meetings. */
  userId?: string;
  ttlSeconds: number;
}

export interface TokenService {
  issueHostToken(meetingId: string): Promise<string>;
  issueParticipantToken(meetingId: string, participantId: string, isHost: boolean): Promise<string>;
  /** An operator's, user's, auditor's or analyst's credential. */
  issueCredential(request: CredentialRequest): Promise<string>;
  /**
   * Verifies signature and expiry, and (when given) that a meeting-bound token belongs to this
   * meeting; throws a coded ConferError.
   */
  verify(token: string, meetingId?: string): Promise<TokenClaims>;
}

const HOST_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

export function createTokenService(options: { secret: string; participantTtlSeconds: number }): TokenService {
  const key = hs256Key(options.secret);
  const sign = async (claims: Record<string, unknown>, ttlSeconds: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(await key);

  return {
    issueHostToken: (meetingId) => sign({ role: 'host', mid: meetingId }, HOST_TOKEN_TTL_SECONDS),
    issueParticipantToken: (meetingId, participantId, isHost) =>
      sign(
        { role: 'participant', mid: meetingId, pid: participantId, host: isHost },
        options.participantTtlSeconds,
      ),
    issueCredential({ role, meetingId, userId, ttlSeconds }) {
      if (role === 'user' && !userId)
        throw new ConferError('CONFER_VALIDATION_FAILED', 'A user token needs a user id', 'user');
      return sign(
        {
          role,
          ...((role === 'auditor' || role === 'analyst') && meetingId ? { mid: meetingId } : {}),
          ...(role === 'user' ? { uid: userId } : {}),
        },
        ttlSeconds,
      );
    },
    async verify(token, meetingId) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, await key, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
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
      const bound = 'mid' in claims.data ? claims.data.mid : undefined;
      if (meetingId !== undefined && bound !== undefined && bound !== meetingId)
        throw new ConferError('CONFER_AUTH_WRONG_MEETING', undefined, 'token');
      return claims.data;
    },
  };
}

/** Who the verified claims say the caller is (no claims: anonymous). */
export function principalOf(claims: TokenClaims | undefined): Principal {
  if (!claims) return { kind: 'anonymous' };
  switch (claims.role) {
    case 'host':
      return { kind: 'host-credential', meetingId: claims.mid };
    case 'participant':
      return { kind: 'participant', meetingId: claims.mid, participantId: claims.pid };
    case 'operator':
      return { kind: 'operator' };
    case 'user':
      return { kind: 'user', userId: claims.uid };
    case 'auditor':
      return { kind: 'auditor', meetingId: claims.mid ?? null };
    case 'analyst':
      return { kind: 'analyst', meetingId: claims.mid ?? null };
  }
}

/** The actor of a command made with these claims; only meeting credentials act in meetings. */
export function actorFromClaims(claims: TokenClaims): Actor {
  if (claims.role === 'host') return { type: 'host' };
  if (claims.role === 'participant')
    return { type: 'participant', participantId: claims.pid, isHost: claims.host };
  throw new ConferError(
    'CONFER_FORBIDDEN',
    `A ${claims.role} credential cannot act in a meeting`,
    'authorization',
  );
}
