import type { AnyServerMessage } from '../../../protocol/signaling';
import { moderates, type MeetingClientState } from './meeting-state';

/**
 * What a person is told when the host tools change something around them: who the host is now,
 * that the meeting was locked, that everyone was muted. Null when there is nothing to say.
 * (Being muted or having one's camera turned off is told by Publishing.follow.)
 */
export function hostNotice(
  before: MeetingClientState,
  after: MeetingClientState,
  message: AnyServerMessage,
): string | null {
  const nameOf = (id: string | null) =>
    id ? (after.participants[id] ?? before.participants[id])?.displayName : undefined;
  switch (message.type) {
    case 'role-changed': {
      const self = message.participantId === after.selfId;
      const name = nameOf(message.participantId) ?? 'Someone';
      switch (message.reason) {
        case 'granted':
          return self ? 'You are now a co-host' : `${name} is now a co-host`;
        case 'revoked':
          return self ? 'You are no longer a co-host' : `${name} is no longer a co-host`;
        case 'host-lost':
          return self
            ? "You are now the host: the host's connection was lost"
            : `${name} is now the host: the host's connection was lost`;
        default:
          return self ? 'You are now the host' : `${name} is now the host`;
      }
    }
    case 'everyone-muted':
      return message.byParticipantId === after.selfId ? 'Everyone else is muted' : null;
    case 'meeting-lock':
      return message.locked
        ? 'The meeting is locked: nobody new can join'
        : 'The meeting is unlocked: people can join again';
    case 'unmute-declined':
      return moderates(after) && message.participantId !== after.selfId
        ? `${nameOf(message.participantId) ?? 'They'} stayed muted`
        : null;
    case 'allowed-back':
      return null;
    default:
      return null;
  }
}
