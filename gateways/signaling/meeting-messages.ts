import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import type { Ids } from '../../domain/ports/ids';
import type { ClientMessage, ClientMessageType } from '../../protocol/signaling';

type MeetingMessageType = Exclude<ClientMessageType, `media:${string}` | 'join'>;

/**
 * Each meeting-level socket message becomes exactly one command; the acting participant is the
 * socket's (from its token), and `participantId` in a payload only ever names a target.
 */
export function commandFor<K extends MeetingMessageType>(
  type: K,
  payload: ClientMessage<K>,
  self: string,
  ids: Ids,
): MeetingCommand {
  const p = payload as ClientMessage<MeetingMessageType>;
  switch (type) {
    case 'mute':
    case 'unmute':
      return {
        type: 'ChangeMediaState',
        participantId: self,
        kind: (p as ClientMessage<'mute'>).mediaType,
        enabled: type === 'unmute',
      };
    case 'chat':
      return {
        type: 'SendChatMessage',
        messageId: ids.messageId(),
        content: (p as ClientMessage<'chat'>).message,
      };
    case 'leave': {
      const { successorId } = p as ClientMessage<'leave'>;
      return {
        type: 'LeaveMeeting',
        participantId: self,
        reason: 'left',
        ...(successorId !== undefined ? { successorId } : {}),
      };
    }
    case 'raise-hand':
      return { type: 'RaiseHand', participantId: self };
    case 'lower-hand':
      return { type: 'LowerHand', participantId: (p as ClientMessage<'lower-hand'>).participantId ?? self };
    case 'admit':
      return { type: 'AdmitParticipant', participantId: (p as ClientMessage<'admit'>).participantId };
    case 'deny':
      return { type: 'DenyParticipant', participantId: (p as ClientMessage<'deny'>).participantId };
    case 'mute-participant': {
      const m = p as ClientMessage<'mute-participant'>;
      return { type: 'ChangeMediaState', participantId: m.participantId, kind: m.mediaType, enabled: false };
    }
    case 'remove-participant':
      return {
        type: 'RemoveParticipant',
        participantId: (p as ClientMessage<'remove-participant'>).participantId,
      };
    case 'end-meeting':
      return { type: 'EndMeeting' };
    case 'mute-all':
      return { type: 'MuteAll' };
    case 'ask-unmute':
      return { type: 'AskToUnmute', participantId: (p as ClientMessage<'ask-unmute'>).participantId };
    case 'decline-unmute':
      return { type: 'DeclineUnmute', participantId: self };
    case 'set-co-host': {
      const m = p as ClientMessage<'set-co-host'>;
      return { type: 'SetCoHost', participantId: m.participantId, coHost: m.coHost };
    }
    case 'lock-meeting':
      return { type: 'SetMeetingLock', locked: (p as ClientMessage<'lock-meeting'>).locked };
    case 'allow-back':
      return { type: 'AllowBack', participantId: (p as ClientMessage<'allow-back'>).participantId };
    case 'spotlight':
      return { type: 'SpotlightParticipant', participantId: (p as ClientMessage<'spotlight'>).participantId };
    case 'clear-spotlight':
      return { type: 'ClearSpotlight' };
    case 'reaction':
      return { type: 'SendReaction', emoji: (p as ClientMessage<'reaction'>).emoji };
  }
  throw new Error(`No command for ${String(type)}`);
}

export const isMeetingMessage = (type: ClientMessageType): type is MeetingMessageType =>
  !type.startsWith('media:') && type !== 'join';
