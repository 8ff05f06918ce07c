import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import type { RecordDraft } from './records';

/**
 * Stage 1, pure: what one meeting event means to an analyst, given what came before in the
 * meeting. Takes the meeting's analytics state and the event, returns the next state and the
 * records (not yet sequenced). No clock, no I/O: replaying the same events gives the same records.
 */
export interface ParticipantFacts {
  /** When they asked to join (waiting room or straight in). */
  requestedAt: string | null;
  joinedAt: string | null;
  present: boolean;
  connectedOnce: boolean;
  talkMs: number;
  turns: number;
  chatMessages: number;
}

export interface MeetingAnalyticsState {
  [field: string]: unknown;
  startedAt: string | null;
  ended: boolean;
  present: number;
  peak: number;
  total: number;
  chatMessages: number;
  speaker: { participantId: string; since: string } | null;
  participants: Record<string, ParticipantFacts>;
  producers: Record<
    string,
    { participantId: string; source: 'microphone' | 'camera' | 'screen'; at: string }
  >;
  /** Sequence number of the meeting's last record (0: none yet). */
  lastSequence: number;
}

export const initialAnalyticsState = (): MeetingAnalyticsState => ({
  startedAt: null,
  ended: false,
  present: 0,
  peak: 0,
  total: 0,
  chatMessages: 0,
  speaker: null,
  participants: {},
  producers: {},
  lastSequence: 0,
});

export interface DeriveOptions {
  /** Whether chat text may leave the meeting for analysts (a deployment setting). */
  chatContent: boolean;
}

export interface Derived {
  state: MeetingAnalyticsState;
  drafts: RecordDraft[];
}

/** Milliseconds from `from` to `to` (ISO timestamps), never negative. */
export const elapsedMs = (from: string | null, to: string): number | null =>
  from === null ? null : Math.max(0, Math.round(Date.parse(to) - Date.parse(from)));

const codePoints = (text: string) => [...text].length;

const newParticipant = (requestedAt: string | null): ParticipantFacts => ({
  requestedAt,
  joinedAt: null,
  present: false,
  connectedOnce: false,
  talkMs: 0,
  turns: 0,
  chatMessages: 0,
});

/**
 * A copy of every object derive changes (the state, its speaker, each participant's facts and each
 * producer), made field by field: structuredClone cost the read models' thread ~5 % of its time,
 * one chat at a time. Fields a newer version stored and this one does not know are kept as they are.
 */
function workingCopy(previous: MeetingAnalyticsState): MeetingAnalyticsState {
  const copyEach = <T extends object>(record: Record<string, T>): Record<string, T> => {
    const copy: Record<string, T> = {};
    for (const [key, value] of Object.entries(record)) copy[key] = { ...value };
    return copy;
  };
  return {
    ...previous,
    speaker: previous.speaker && { ...previous.speaker },
    participants: copyEach(previous.participants),
    producers: copyEach(previous.producers),
  };
}

export function derive(
  previous: MeetingAnalyticsState,
  event: MeetingEvent,
  at: string,
  options: DeriveOptions,
): Derived {
  // A working copy: the caller's state is never mutated.
  const state = workingCopy(previous);
  const drafts: RecordDraft[] = [];
  const participant = (participantId: string): ParticipantFacts =>
    (state.participants[participantId] ??= newParticipant(null));

  /** Ends the current speaking turn (if `who` is speaking, or anyone when `who` is undefined). */
  const endTurn = (who?: string) => {
    const speaker = state.speaker;
    if (!speaker || (who !== undefined && speaker.participantId !== who)) return;
    const turnMs = elapsedMs(speaker.since, at) ?? 0;
    const facts = participant(speaker.participantId);
    facts.talkMs += turnMs;
    facts.turns += 1;
    state.speaker = null;
    drafts.push({
      type: 'confer.talk-time.updated.v1',
      discriminator: speaker.participantId,
      data: { participantId: speaker.participantId, turnMs, totalMs: facts.talkMs },
    });
  };

  const leave = (participantId: string, reason: 'left' | 'disconnected' | 'meeting-ended' | 'removed') => {
    const facts = participant(participantId);
    if (!facts.present) return;
    endTurn(participantId);
    facts.present = false;
    state.present = Math.max(0, state.present - 1);
    drafts.push({
      type: 'confer.participant.left.v1',
      discriminator: participantId,
      data: {
        participantId,
        reason,
        timeInMeetingMs: elapsedMs(facts.joinedAt, at) ?? 0,
        talkTimeMs: facts.talkMs,
        participantsNow: state.present,
      },
    });
  };

  switch (event.type) {
    case 'MeetingCreated': {
      state.startedAt = at;
      const { settings } = event.data;
      drafts.push({
        type: 'confer.meeting.started.v1',
        discriminator: '',
        data: {
          waitingRoom: settings.waitingRoom,
          maxParticipants: settings.maxParticipants,
          scheduledStart: event.data.startTime,
        },
      });
      break;
    }
    case 'ParticipantWaiting': {
      state.participants[event.data.participantId] = newParticipant(at);
      drafts.push({
        type: 'confer.participant.waiting.v1',
        discriminator: '',
        data: { participantId: event.data.participantId },
      });
      break;
    }
    case 'ParticipantAdmitted':
    case 'ParticipantDenied': {
      const facts = participant(event.data.participantId);
      const type =
        event.type === 'ParticipantAdmitted'
          ? 'confer.participant.admitted.v1'
          : 'confer.participant.denied.v1';
      drafts.push({
        type,
        discriminator: '',
        data: { participantId: event.data.participantId, waitedMs: elapsedMs(facts.requestedAt, at) },
      });
      break;
    }
    case 'ParticipantJoined': {
      const { participantId } = event.data;
      const known = state.participants[participantId];
      // Joining again after leaving is a new visit: its own request time, connection and stay.
      const facts = (state.participants[participantId] = {
        ...(known ?? newParticipant(null)),
        requestedAt: known && !known.present && known.joinedAt === null ? known.requestedAt : at,
        joinedAt: at,
        present: true,
        connectedOnce: false,
      });
      if (facts.requestedAt === null) facts.requestedAt = at;
      if (!known?.present) {
        state.present += 1;
        state.total += known?.joinedAt ? 0 : 1;
      }
      state.peak = Math.max(state.peak, state.present);
      drafts.push({
        type: 'confer.participant.joined.v1',
        discriminator: '',
        data: {
          participantId,
          role: event.data.role,
          audioEnabled: event.data.audioEnabled,
          videoEnabled: event.data.videoEnabled,
          participantsNow: state.present,
        },
      });
      break;
    }
    case 'ParticipantConnectionChanged': {
      const { participantId, connectionStatus } = event.data;
      const facts = participant(participantId);
      if (connectionStatus === 'reconnecting') {
        drafts.push({
          type: 'confer.participant.reconnecting.v1',
          discriminator: '',
          data: { participantId },
        });
        break;
      }
      const first = !facts.connectedOnce;
      facts.connectedOnce = true;
      drafts.push({
        type: 'confer.participant.connected.v1',
        discriminator: '',
        data: {
          participantId,
          joinToConnectedMs: first ? elapsedMs(facts.requestedAt, at) : null,
          reconnected: !first,
        },
      });
      break;
    }
    case 'ParticipantLeft':
      leave(event.data.participantId, event.data.reason);
      break;
    case 'ParticipantRemoved':
      leave(event.data.participantId, 'removed');
      break;
    case 'MediaStateChanged':
      drafts.push({ type: 'confer.media.toggled.v1', discriminator: '', data: { ...event.data } });
      break;
    case 'MediaPublished': {
      const { participantId, producerId, source, kind } = event.data;
      state.producers[producerId] = { participantId, source, at };
      drafts.push({
        type: 'confer.media.published.v1',
        discriminator: '',
        data: { participantId, producerId, source, kind },
      });
      if (source === 'screen')
        drafts.push({
          type: 'confer.screenshare.started.v1',
          discriminator: '',
          data: { participantId, producerId },
        });
      break;
    }
    case 'MediaUnpublished': {
      const { participantId, producerId } = event.data;
      const producer = state.producers[producerId];
      delete state.producers[producerId];
      const publishedMs = producer ? elapsedMs(producer.at, at) : null;
      drafts.push({
        type: 'confer.media.unpublished.v1',
        discriminator: '',
        data: { participantId, producerId, source: producer?.source ?? null, publishedMs },
      });
      if (producer?.source === 'screen')
        drafts.push({
          type: 'confer.screenshare.stopped.v1',
          discriminator: '',
          data: { participantId, producerId, durationMs: publishedMs },
        });
      break;
    }
    case 'HandRaised':
    case 'HandLowered':
      drafts.push({
        type: event.type === 'HandRaised' ? 'confer.hand.raised.v1' : 'confer.hand.lowered.v1',
        discriminator: '',
        data: { participantId: event.data.participantId },
      });
      break;
    case 'ReactionSent':
      drafts.push({ type: 'confer.reaction.sent.v1', discriminator: '', data: { ...event.data } });
      break;
    case 'ChatMessageSent': {
      const { messageId, senderId, content } = event.data;
      const facts = participant(senderId);
      facts.chatMessages += 1;
      state.chatMessages += 1;
      drafts.push({
        type: 'confer.chat.message.v1',
        discriminator: '',
        data: {
          messageId,
          senderId,
          length: codePoints(content),
          senderMessageCount: facts.chatMessages,
          meetingMessageCount: state.chatMessages,
          content: options.chatContent ? content : null,
        },
      });
      break;
    }
    case 'ActiveSpeakerChanged': {
      const next = event.data.participantId;
      if (state.speaker?.participantId === next) break;
      endTurn();
      if (next !== null) state.speaker = { participantId: next, since: at };
      break;
    }
    case 'MeetingEnded': {
      endTurn();
      // Anyone still present (MeetingEnded without their leave first) leaves with the meeting.
      for (const [participantId, facts] of Object.entries(state.participants))
        if (facts.present) leave(participantId, 'meeting-ended');
      state.ended = true;
      drafts.push({
        type: 'confer.meeting.ended.v1',
        discriminator: '',
        data: {
          reason: event.data.reason,
          durationMs: elapsedMs(state.startedAt, at) ?? 0,
          peakParticipants: state.peak,
          participantsTotal: state.total,
          chatMessages: state.chatMessages,
        },
      });
      for (const [participantId, facts] of Object.entries(state.participants).sort(([a], [b]) =>
        a.localeCompare(b),
      ))
        if (facts.turns > 0)
          drafts.push({
            type: 'confer.talk-time.final.v1',
            discriminator: participantId,
            data: { participantId, totalMs: facts.talkMs, turns: facts.turns },
          });
      break;
    }
    case 'MediaNodeAssigned':
    case 'ParticipantPlaced':
      // Placement is operations' business, not analysts'.
      break;
  }
  return { state, drafts };
}
