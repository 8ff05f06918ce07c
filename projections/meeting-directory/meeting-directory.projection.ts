import type { MeetingEventOf } from '../../domain/meeting/meeting.events';
import type { ProjectionWriter } from '../../domain/ports/projection-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { meetingEventOf } from '../meeting-event';
import { perTransaction } from '../per-transaction';
import type { Projection } from '../projection';
import {
  MEETINGS,
  MEETINGS_BY_CREATION,
  MEETING_PRESENCE,
  hostListing,
  listingKey,
  type MeetingStatus,
  type MeetingSummary,
} from './meeting-directory.model';

/** The meeting directory: one summary per meeting, listable by status, newest first. */
export function meetingDirectoryProjection(): Projection {
  return {
    name: 'meeting-directory',
    // v2: meetings listed per host user (host:<userId>)
    version: 2,
    collections: [MEETINGS, MEETINGS_BY_CREATION, MEETING_PRESENCE],
    async apply(stored, tx) {
      const event = meetingEventOf(stored);
      if (!event) return;
      const meetingId = stored.meetingId;
      switch (event.type) {
        case 'MeetingCreated':
          return created(tx, meetingId, event, stored);
        case 'ParticipantJoined':
          return joined(tx, meetingId, event.data.participantId);
        case 'ParticipantLeft':
        case 'ParticipantRemoved':
          return gone(tx, meetingId, event.data.participantId);
        case 'ChatMessageSent': {
          const chats = chatsOf(tx);
          chats.set(meetingId, (chats.get(meetingId) ?? 0) + 1);
          return;
        }
        case 'MeetingEnded':
          return ended(tx, meetingId, stored.occurredAt);
        default:
          // Waiting, admitted and denied participants were never joined; media, hands and
          // speakers are the roster's business.
          return;
      }
    },
    // A meeting's chats counted once per batch (its summary read and written once, not per chat).
    async finish(tx) {
      for (const [meetingId, chats] of chatsOf(tx))
        await update(tx, meetingId, (m) => ({ ...m, chatCount: m.chatCount + chats }));
    },
  };
}

/**
 * The chats each meeting got in one batch, by transaction: added to the summaries in `finish`.
 * Only `chatCount` waits; joins, leaves and the end rewrite the summary as they come, and the
 * count commutes with them.
 */
const chatsOf = perTransaction(() => new Map<string, number>());

async function created(
  tx: ProjectionWriter,
  meetingId: string,
  event: MeetingEventOf<'MeetingCreated'>,
  stored: StoredEvent,
): Promise<void> {
  const { title, hostUserId, startTime, settings } = event.data;
  const summary: MeetingSummary = {
    meetingId,
    title,
    hostUserId,
    status: 'active',
    startTime,
    createdAt: stored.occurredAt,
    endedAt: null,
    settings: {
      muteOnEntry: settings.muteOnEntry,
      videoOffOnEntry: settings.videoOffOnEntry,
      waitingRoom: settings.waitingRoom,
      maxParticipants: settings.maxParticipants,
      passcodeRequired: settings.passcodeDigest !== null,
    },
    participantCount: 0,
    peakParticipants: 0,
    chatCount: 0,
  };
  await tx.put(MEETINGS, '', meetingId, summary);
  await list(tx, summary, 'all');
  await list(tx, summary, 'active');
  // A signed-in user lists the meetings they host (any status; filtered on read).
  if (hostUserId !== null) await list(tx, summary, hostListing(hostUserId));
}

async function joined(tx: ProjectionWriter, meetingId: string, participantId: string): Promise<void> {
  if (await tx.get(MEETING_PRESENCE, meetingId, participantId)) return;
  await tx.put(MEETING_PRESENCE, meetingId, participantId, {});
  await update(tx, meetingId, (m) => {
    const participantCount = m.participantCount + 1;
    return { ...m, participantCount, peakParticipants: Math.max(m.peakParticipants, participantCount) };
  });
}

async function gone(tx: ProjectionWriter, meetingId: string, participantId: string): Promise<void> {
  // A participant who only waited leaves without ever having counted.
  if (!(await tx.get(MEETING_PRESENCE, meetingId, participantId))) return;
  await tx.delete(MEETING_PRESENCE, meetingId, participantId);
  await update(tx, meetingId, (m) => ({ ...m, participantCount: Math.max(0, m.participantCount - 1) }));
}

async function ended(tx: ProjectionWriter, meetingId: string, endedAt: string): Promise<void> {
  const before = await tx.get<MeetingSummary>(MEETINGS, '', meetingId);
  if (!before || before.status === 'ended') return;
  const after: MeetingSummary = { ...before, status: 'ended', endedAt };
  await tx.put(MEETINGS, '', meetingId, after);
  await unlist(tx, before, 'active');
  await list(tx, after, 'ended');
}

/** Rewrites a meeting's summary; events of a meeting the directory never saw created are ignored. */
async function update(
  tx: ProjectionWriter,
  meetingId: string,
  change: (m: MeetingSummary) => MeetingSummary,
): Promise<void> {
  const current = await tx.get<MeetingSummary>(MEETINGS, '', meetingId);
  if (current) await tx.put(MEETINGS, '', meetingId, change(current));
}

type Listing = 'all' | MeetingStatus | `host:${string}`;

const list = (tx: ProjectionWriter, m: MeetingSummary, listing: Listing) =>
  tx.put(MEETINGS_BY_CREATION, listing, listingKey(m.createdAt, m.meetingId), { meetingId: m.meetingId });

const unlist = (tx: ProjectionWriter, m: MeetingSummary, listing: Listing) =>
  tx.delete(MEETINGS_BY_CREATION, listing, listingKey(m.createdAt, m.meetingId));
