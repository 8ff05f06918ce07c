import type { ProjectionReader } from '../../domain/ports/projection-store';
import { assertPageLimit } from '../paging';
import {
  MEETINGS,
  MEETINGS_BY_CREATION,
  MeetingSummarySchema,
  hostListing,
  type MeetingStatus,
  type MeetingSummary,
} from './meeting-directory.model';

export async function getMeeting(
  reader: ProjectionReader,
  meetingId: string,
): Promise<MeetingSummary | undefined> {
  const doc = await reader.get(MEETINGS, '', meetingId);
  return doc === undefined ? undefined : MeetingSummarySchema.parse(doc);
}

export interface MeetingListPage {
  meetings: MeetingSummary[];
  /** Pass back as `cursor` for the next (older) page; null when this page is the last. */
  nextCursor: string | null;
}

/** Meetings newest first, optionally only active or only ended ones, or only one user's. */
export async function listMeetings(
  reader: ProjectionReader,
  options: { status?: MeetingStatus; limit: number; cursor?: string; hostUserId?: string },
): Promise<MeetingListPage> {
  assertPageLimit(options.limit);
  const listing =
    options.hostUserId !== undefined ? hostListing(options.hostUserId) : (options.status ?? 'all');
  const entries = await reader.range<{ meetingId: string }>(MEETINGS_BY_CREATION, listing, {
    order: 'desc',
    limit: options.limit + 1,
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  const page = entries.slice(0, options.limit);
  const found = await Promise.all(page.map((entry) => getMeeting(reader, entry.doc.meetingId)));
  // The index and the summaries are read outside one transaction: a meeting that ended between the
  // two reads is left out of an 'active' page rather than shown with the wrong status.
  const meetings = found.filter(
    (m): m is MeetingSummary =>
      m !== undefined && (options.status === undefined || m.status === options.status),
  );
  const more = entries.length > options.limit;
  return { meetings, nextCursor: more ? page[page.length - 1]!.key : null };
}
