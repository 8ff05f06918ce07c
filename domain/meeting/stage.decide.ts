import { actorParticipantId, type Actor } from '../shared/actor';
import { authorityOf } from './host-authority';
import { ConferError } from '../shared/errors';
import type { MeetingCommand } from './meeting.commands';
import type { MeetingEvent, RecordedMeetingEvent } from './meeting.events';
import type { MeetingState, ParticipantState } from './meeting.state';

/**
 * The stage rules (called from the meeting decider): the host spotlights one present participant
 * for everyone, at most one at a time, and the spotlight goes when that person leaves; any
 * present participant sends reactions from the fixed set (the command's schema holds the set).
 */
export type StageCommand = Extract<
  MeetingCommand,
  { type: 'SpotlightParticipant' | 'ClearSpotlight' | 'SendReaction' }
>;
export type StageEvent = Extract<
  MeetingEvent,
  { type: 'ParticipantSpotlighted' | 'SpotlightCleared' | 'ReactionSent' }
>;

const stageCommandTypes: ReadonlySet<string> = new Set<StageCommand['type']>([
  'SpotlightParticipant',
  'ClearSpotlight',
  'SendReaction',
]);
const stageEventTypes: ReadonlySet<string> = new Set<StageEvent['type']>([
  'ParticipantSpotlighted',
  'SpotlightCleared',
  'ReactionSent',
]);

export const isStageCommand = (command: MeetingCommand): command is StageCommand =>
  stageCommandTypes.has(command.type);
export const isStageEvent = (event: RecordedMeetingEvent): event is RecordedMeetingEvent & StageEvent =>
  stageEventTypes.has(event.type);

/**
 * Who may spotlight: THE one place this rule lives. Hosts and co-hosts (as in Zoom), as the
 * meeting's history says, and the platform; a participant never, whatever their socket claims.
 */
export function maySpotlight(actor: Actor, state: MeetingState): boolean {
  return authorityOf(actor, state) !== 'none';
}

export function decideStage(command: StageCommand, state: MeetingState, actor: Actor): MeetingEvent[] {
  switch (command.type) {
    case 'SpotlightParticipant': {
      assertMaySpotlight(actor, state);
      const target = requireJoined(state, command.participantId);
      if (state.spotlightId === target.participantId) return [];
      return [{ type: 'ParticipantSpotlighted', data: { participantId: target.participantId } }];
    }
    case 'ClearSpotlight': {
      assertMaySpotlight(actor, state);
      if (state.spotlightId === null) return [];
      return [
        { type: 'SpotlightCleared', data: { participantId: state.spotlightId, reason: 'host-cleared' } },
      ];
    }
    case 'SendReaction': {
      const senderId = actorParticipantId(actor);
      if (senderId === undefined) throw new ConferError('CONFER_FORBIDDEN', 'Only participants react');
      const sender = requireJoined(state, senderId);
      return [{ type: 'ReactionSent', data: { participantId: sender.participantId, emoji: command.emoji } }];
    }
  }
}

/** A spotlighted person who leaves (or is removed) takes the spotlight with them. */
export function spotlightGoesWith(state: MeetingState, participantId: string): MeetingEvent[] {
  if (state.spotlightId !== participantId) return [];
  return [{ type: 'SpotlightCleared', data: { participantId, reason: 'participant-left' } }];
}

export function evolveStage(state: MeetingState, event: RecordedMeetingEvent & StageEvent): MeetingState {
  switch (event.type) {
    case 'ParticipantSpotlighted':
      return { ...state, spotlightId: event.data.participantId };
    case 'SpotlightCleared':
      return state.spotlightId === event.data.participantId ? { ...state, spotlightId: null } : state;
    case 'ReactionSent':
      // A moment, not a state: nothing of the meeting changes.
      return state;
  }
}

function assertMaySpotlight(actor: Actor, state: MeetingState): void {
  if (!maySpotlight(actor, state))
    throw new ConferError(
      'CONFER_FORBIDDEN',
      'Only a host or co-host can spotlight someone for everyone',
      'type',
    );
}

function requireJoined(state: MeetingState, participantId: string): ParticipantState {
  const p = state.participants[participantId];
  if (!p) throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND', undefined, 'participantId');
  if (p.status !== 'joined')
    throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED', undefined, 'participantId');
  return p;
}
