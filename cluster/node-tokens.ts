import { SignJWT, jwtVerify } from 'jose';
import { hs256Key } from '../gateways/auth/hs256-key';
import { ConferError } from '../domain/shared/errors';

/** Audience of node tokens: a participant's or host's token is never accepted as one. */
const AUDIENCE = 'confer-node';
const TTL_SECONDS = 300;

export interface NodeTokens {
  issue(nodeId: string): Promise<string>;
  /** The node a token was issued to; throws CONFER_AUTH_INVALID otherwise. */
  verify(token: unknown): Promise<string>;
}

/**
 * Tokens nodes present to each other on node links: short-lived HS256 JWTs signed with the
 * deployment's shared secret (AUTH_SECRET, the same on every node), naming the calling node.
 */
export function createNodeTokens(secret: string): NodeTokens {
  const key = hs256Key(secret);
  return {
    issue: async (nodeId) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(nodeId)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${TTL_SECONDS}s`)
        .sign(await key),
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0)
        throw new ConferError('CONFER_AUTH_MISSING', 'Connect with auth: { token }', 'auth.token');
      try {
        const { payload } = await jwtVerify(token, await key, { algorithms: ['HS256'], audience: AUDIENCE });
        if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new Error('no subject');
        return payload.sub;
      } catch {
        throw new ConferError('CONFER_AUTH_INVALID', 'Not a valid node token', 'auth.token');
      }
    },
  };
}
