import { createCommandHandler, type CommandHandler } from '../command-handler';
import type { Clock } from '../ports/clock';
import type { EventStore } from '../ports/event-store';
import type { Ids } from '../ports/ids';
import { meetingStreamId } from '../shared/envelope';
import type { MeetingCommand } from './meeting.commands';
import { meetingDecider } from './meeting.decider';
import { CurrentVersion, type MeetingEvent } from './meeting.events';
import type { MeetingState } from './meeting.state';
import { toMeetingEvent } from './meeting.upcasters';

export type MeetingCommandHandler = CommandHandler<MeetingCommand, MeetingState>;

export function createMeetingCommandHandler(deps: {
  store: EventStore;
  ids: Ids;
  clock: Clock;
  cacheSize?: number;
  contentionBudgetMs?: number;
}): MeetingCommandHandler {
  return createCommandHandler<MeetingCommand, MeetingEvent, MeetingState>({
    ...deps,
    decider: meetingDecider,
    parse: toMeetingEvent,
    schemaVersionOf: (type) => CurrentVersion[type],
    streamIdOf: meetingStreamId,
  });
}
