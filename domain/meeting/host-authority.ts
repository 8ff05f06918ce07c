import { actorIsHost, actorParticipantId, type Actor } from '../shared/actor';
import { ConferError } from '../shared/errors';
import type { MeetingState } from './meeting.state';

/**
 * How much of the host's power an actor holds in a meeting now. The meeting's history decides
 * (a participant handed the host role or made co-host holds it though their token predates it);
 * the host credential, the platform and a token issued to a host hold the host's.
 */
export type Authority = 'host' | 'co-host' | 'none';

export function authorityOf(actor: Actor, state: MeetingState): Authority {
  const selfId = actorParticipantId(actor);
  const self = selfId === undefined ? undefined : state.participants[selfId];
  if (self?.status === 'joined' && self.role === 'host') return 'host';
  if (actorIsHost(actor)) return 'host';
  if (self?.status === 'joined' && self.role === 'co-host') return 'co-host';
  return 'none';
}

/** End for all, lock, co-host roles: the host's alone. */
export function assertHost(actor: Actor, state: MeetingState): void {
  if (authorityOf(actor, state) !== 'host')
    throw new ConferError('CONFER_FORBIDDEN', 'Only the host can do this', 'authorization');
}

/** Admit, deny, remove, mute, ask to unmute, allow back: a host's or a co-host's. */
export function assertModerator(actor: Actor, state: MeetingState): Authority {
  const authority = authorityOf(actor, state);
  if (authority === 'none')
    throw new ConferError('CONFER_FORBIDDEN', 'Only a host or co-host can do this', 'authorization');
  return authority;
}
