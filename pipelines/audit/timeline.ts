import { CHECKPOINT_EVENT_TYPE, SignedCheckpointSchema } from '../../domain/audit/checkpoint';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { StoredEvent } from '../../domain/shared/envelope';

export type { TimelineEntry } from '../../protocol/audit-views';
import type { TimelineEntry } from '../../protocol/audit-views';

/**
 * What the timeline has learnt from the stream so far: display names by participant id ("whom"
 * reads better than an id), and the node each participant's socket was last on (where their
 * commands came from, for events that do not name a node themselves).
 */
export interface NameBook {
  names: Map<string, string>;
  nodes: Map<string, string>;
}

export const newNameBook = (): NameBook => ({ names: new Map(), nodes: new Map() });

export function learnNames(book: NameBook, event: StoredEvent): void {
  const data = event.data as { participantId?: unknown; displayName?: unknown; nodeId?: unknown };
  if (typeof data?.participantId !== 'string') return;
  if (
    (event.type === 'ParticipantJoined' || event.type === 'ParticipantWaiting') &&
    typeof data.displayName === 'string'
  )
    book.names.set(data.participantId, data.displayName);
  if (event.type === 'ParticipantConnectionChanged' && typeof data.nodeId === 'string')
    book.nodes.set(data.participantId, data.nodeId);
}

const stringField = (data: unknown, field: string): string | null => {
  const value = data && typeof data === 'object' ? (data as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : null;
};

/**
 * Describes one event. Known meeting events get a sentence; any other type (one added later by
 * another part of the product, or by a newer version) still appears, rendered from its envelope
 * and the usual fields (participantId, nodeId), so the timeline never silently hides a fact.
 */
export function describeEvent(event: StoredEvent, book: NameBook): TimelineEntry {
  const { names } = book;
  const actorId = event.actor.type === 'participant' ? event.actor.participantId : null;
  const actorName = actorId ? (names.get(actorId) ?? null) : event.actor.type === 'host' ? 'host' : null;
  const who =
    actorName ?? actorId ?? (event.actor.type === 'system' ? `system (${event.actor.reason})` : 'host');
  const subjectId = stringField(event.data, 'participantId');
  const subjectName = subjectId ? (names.get(subjectId) ?? null) : null;
  const whom = subjectName ?? subjectId ?? '';
  const base = {
    revision: event.streamRevision,
    at: event.occurredAt,
    type: event.type,
    schemaVersion: event.schemaVersion,
    actor: {
      kind: event.actor.type,
      participantId: actorId,
      name: actorName,
      detail: event.actor.type === 'system' ? event.actor.reason : null,
    },
    subject: subjectId ? { participantId: subjectId, name: subjectName } : null,
    node: stringField(event.data, 'nodeId') ?? (actorId ? (book.nodes.get(actorId) ?? null) : null),
    hash: event.hash,
  };
  return { ...base, summary: summarise(event, who, whom, (id) => names.get(id) ?? id) };
}

function summarise(
  event: StoredEvent,
  who: string,
  whom: string,
  nameIn: (participantId: string) => string,
): string {
  if (event.type === CHECKPOINT_EVENT_TYPE) {
    const signed = SignedCheckpointSchema.safeParse(event.data);
    return signed.success
      ? `checkpoint signed over revisions 0–${signed.data.checkpoint.revision} (key ${signed.data.checkpoint.keyId})`
      : 'checkpoint (unreadable)';
  }
  let parsed;
  try {
    parsed = toMeetingEvent(event);
  } catch {
    parsed = undefined;
  }
  if (!parsed) return `${event.type} v${event.schemaVersion} by ${who}${whom ? ` about ${whom}` : ''}`;
  const self = who === whom;
  switch (parsed.type) {
    case 'MeetingCreated':
      return `${who} created the meeting "${parsed.data.title}"${parsed.data.settings.waitingRoom ? ' with a waiting room' : ''}${parsed.data.settings.passcodeDigest ? ', passcode required' : ''}`;
    case 'ParticipantWaiting':
      return `${parsed.data.displayName} entered the waiting room`;
    case 'ParticipantAdmitted':
      return `${who} admitted ${whom}`;
    case 'ParticipantDenied':
      return `${who} denied ${whom}`;
    case 'ParticipantJoined':
      return `${parsed.data.displayName} joined as ${parsed.data.role}`;
    case 'ParticipantLeft':
      return `${whom} left (${parsed.data.reason})`;
    case 'ParticipantRemoved':
      return `${who} removed ${whom}`;
    case 'ParticipantConnectionChanged':
      return `${whom} is ${parsed.data.connectionStatus}${parsed.data.nodeId ? ` via ${parsed.data.nodeId}` : ''}`;
    case 'MediaStateChanged':
      return `${self ? who : `${who} set ${whom}'s`} ${parsed.data.kind} ${parsed.data.enabled ? 'on' : 'off'}`;
    case 'ChatMessageSent':
      return `${parsed.data.senderName} sent a chat message (${parsed.data.messageId})`;
    case 'HandRaised':
      return `${whom} raised a hand`;
    case 'HandLowered':
      return `${self ? `${who} lowered a hand` : `${who} lowered ${whom}'s hand`}`;
    case 'ActiveSpeakerChanged':
      return parsed.data.participantId ? `${whom} is speaking` : 'nobody is speaking';
    case 'MediaPublished':
      return `${whom} published ${parsed.data.source}`;
    case 'MediaUnpublished':
      return `${whom} stopped publishing ${parsed.data.producerId}`;
    case 'MeetingEnded':
      return `${who} ended the meeting (${parsed.data.reason})`;
    case 'MediaNodeAssigned':
      return `media placed on ${parsed.data.nodeId}`;
    case 'ParticipantPlaced':
      return `${whom} placed on ${parsed.data.nodeId}`;
    case 'PasscodeLockoutStarted': {
      const { scope, failures, lockedForSeconds, client } = parsed.data;
      return scope === 'meeting'
        ? `passcode entry locked for everyone for ${lockedForSeconds} s after ${failures} wrong passcodes`
        : `client ${client ?? '?'} locked out for ${lockedForSeconds} s after ${failures} wrong passcodes`;
    }
    case 'RecordingStarted':
      return `${who} started recording ${parsed.data.recordingId}`;
    case 'RecordingStopped':
      return `recording ${parsed.data.recordingId} stopped (${parsed.data.reason})`;
    case 'RecordingSegmentStored':
      return `a segment of recording ${parsed.data.recordingId} was stored`;
    case 'RecordingTrackStarted':
      return `recording ${parsed.data.recordingId} captures ${whom}'s ${parsed.data.source}`;
    case 'RecordingTrackClosed':
      return `a track of recording ${parsed.data.recordingId} closed with ${parsed.data.segments} segments stored`;
    case 'RecordingAvailable':
      return `recording ${parsed.data.recordingId} is available (sha256 ${parsed.data.sha256.slice(0, 12)}…)`;
    case 'RecordingFailed':
      return `recording ${parsed.data.recordingId} failed at ${parsed.data.stage}: ${parsed.data.reason}`;
    // The host's tools.
    case 'HostRoleHandedOver': {
      const { fromParticipantId, toParticipantId, reason } = parsed.data;
      return `the host role passed from ${nameIn(fromParticipantId)} to ${nameIn(toParticipantId)} (${reason})`;
    }
    case 'CoHostGranted':
      return `${who} made ${whom} co-host`;
    case 'CoHostRevoked':
      return `${who} took co-host from ${whom}`;
    case 'EveryoneMuted':
      return `${who} muted everyone (${parsed.data.participantIds.length})`;
    case 'UnmuteRequested':
      return `${who} asked ${whom} to unmute`;
    case 'UnmuteRequestDeclined':
      return `${whom} stayed muted`;
    case 'MeetingLocked':
      return `${who} locked the meeting`;
    case 'MeetingUnlocked':
      return `${who} unlocked the meeting`;
    case 'ParticipantAllowedBack':
      return `${who} let ${whom} back`;
    case 'ParticipantSpotlighted':
      return `${who} spotlighted ${whom}`;
    case 'SpotlightCleared':
      return parsed.data.reason === 'participant-left'
        ? `the spotlight on ${whom} ended (they left)`
        : `${who} cleared the spotlight on ${whom}`;
    case 'ReactionSent':
      return `${whom} reacted ${parsed.data.emoji}`;
  }
}
