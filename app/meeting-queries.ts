import type { ProjectionReader } from '../domain/ports/projection-store';
import type { MeetingQueries } from '../gateways/http/meeting-queries';
import { participantRecordOf } from '../protocol/rest';
import type { ChatView, ParticipantView } from '../protocol/signaling';
import {
  chatPage,
  getMeeting,
  getRoster,
  listMeetings,
  type ProjectionRunner,
  type RosterParticipant,
} from '../projections';

const toParticipantView = (p: RosterParticipant): ParticipantView => participantRecordOf(p);

/** The HTTP API's reads, answered by the projections. */
export function createMeetingQueries(
  reader: ProjectionReader,
  runner: Pick<ProjectionRunner, 'waitFor'>,
): MeetingQueries {
  return {
    meeting: (meetingId) => getMeeting(reader, meetingId),
    list: (options) => listMeetings(reader, options),
    async roster(meetingId, options) {
      const roster = await getRoster(reader, meetingId, options);
      return roster ? roster.participants.map(toParticipantView) : [];
    },
    async chat(meetingId, options) {
      const page = await chatPage(reader, meetingId, options);
      const messages: ChatView[] = page.messages.map((m) => ({
        messageId: m.messageId,
        from: m.senderId,
        fromName: m.senderName,
        message: m.content,
        timestamp: m.timestamp,
        seq: m.seq,
      }));
      return { messages, nextBefore: page.nextBefore };
    },
    waitFor: (meetingId, revision, timeoutMs) => runner.waitFor(meetingId, revision, timeoutMs),
  };
}
