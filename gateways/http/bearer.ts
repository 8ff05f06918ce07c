import type { FastifyRequest } from 'fastify';
import { ConferError } from '../../domain/shared/errors';
import type { TokenClaims, TokenService } from '../auth/tokens';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match)
    throw new ConferError('CONFER_AUTH_INVALID', 'Authorization must be "Bearer <token>"', 'authorization');
  return match[1];
}

/** The verified claims of the request's token for this meeting; a missing token is an error. */
export async function requireClaims(
  request: FastifyRequest,
  tokens: TokenService,
  meetingId: string,
): Promise<TokenClaims> {
  const token = bearerToken(request);
  if (!token) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
  return tokens.verify(token, meetingId);
}

export async function optionalClaims(
  request: FastifyRequest,
  tokens: TokenService,
  meetingId: string,
): Promise<TokenClaims | undefined> {
  const token = bearerToken(request);
  return token ? tokens.verify(token, meetingId) : undefined;
}
