import type { ProjectionReader } from '../../domain/ports/projection-store';
import { readWholePartition } from '../paging';
import {
  ROSTER,
  ROSTER_MEETINGS,
  RosterMeetingSchema,
  RosterParticipantSchema,
  type RosterParticipant,
} from './roster.model';

export interface Roster {
  meetingId: string;
  activeSpeakerId: string | null;
  /** In order of joining; those who never joined (waiting, denied) after them. */
  participants: RosterParticipant[];
}

const present = (p: RosterParticipant) => p.status === 'joined' || p.status === 'waiting';

/** The meeting's participants (by default only those joined or waiting); undefined: no such meeting. */
export async function getRoster(
  reader: ProjectionReader,
  meetingId: string,
  options: { includeGone?: boolean } = {},
): Promise<Roster | undefined> {
  const meetingDoc = await reader.get(ROSTER_MEETINGS, '', meetingId);
  if (meetingDoc === undefined) return undefined;
  const meeting = RosterMeetingSchema.parse(meetingDoc);
  const entries = await readWholePartition(reader, ROSTER, meetingId);
  const participants = entries
    .map((entry) => RosterParticipantSchema.parse(entry.doc))
    .filter((p) => options.includeGone === true || present(p))
    .sort(byJoinTime);
  return { meetingId, activeSpeakerId: meeting.activeSpeakerId, participants };
}

export async function getParticipant(
  reader: ProjectionReader,
  meetingId: string,
  participantId: string,
): Promise<RosterParticipant | undefined> {
  const doc = await reader.get(ROSTER, meetingId, participantId);
  return doc === undefined ? undefined : RosterParticipantSchema.parse(doc);
}

function byJoinTime(a: RosterParticipant, b: RosterParticipant): number {
  if (a.joinTime !== b.joinTime) {
    if (a.joinTime === null) return 1;
    if (b.joinTime === null) return -1;
    return a.joinTime < b.joinTime ? -1 : 1;
  }
  return a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0;
}
