import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/**
 * Time-limited TURN credentials in coturn's shared-secret scheme (`use-auth-secret`): the username
 * is the expiry time and an id, the password an HMAC-SHA1 of the username with the shared secret.
 */
export function iceServersFor(
  participantId: string,
  options: {
    stunUrls?: string[];
    turnUrls?: string[];
    turnSecret?: string;
    ttlSeconds: number;
    nowMs: number;
  },
): IceServer[] {
  const servers: IceServer[] = [];
  if (options.stunUrls?.length) servers.push({ urls: options.stunUrls });
  if (options.turnUrls?.length && options.turnSecret) {
    const username = `${Math.floor(options.nowMs / 1000) + options.ttlSeconds}:${participantId}`;
    const credential = createHmac('sha1', options.turnSecret).update(username).digest('base64');
    servers.push({ urls: options.turnUrls, username, credential });
  }
  return servers;
}
