import type { Logger } from 'pino';
import { toMeetingEvent } from '../domain/meeting/meeting.upcasters';
import type { MeetingEventOf, MeetingEventType } from '../domain/meeting/meeting.events';
import type { StoredEvent } from '../domain/shared/envelope';
import { Lru } from '../domain/shared/lru';
import type { MediaSource } from './peer';
import type { Room } from './room';

export interface MeetingEventsControllerDeps {
  logger: Logger;
  /** This node: a producer published through another node is pulled from there. */
  nodeId: string;
  room(meetingId: string): Room | undefined;
  /** The meeting is over or nobody is left on this node: close and forget its room. */
  closeRoom(meetingId: string, reason: 'meeting-ended' | 'room-empty'): void;
}

const sourcesOfKind: Record<'audio' | 'video' | 'screen', MediaSource[]> = {
  audio: ['microphone'],
  video: ['camera'],
  screen: ['screen'],
};

/**
 * The events the SFU reacts to; its bus group is handed only these (`types`), so the many it has
 * no use for (chat above all) are never parsed for it. `apply` switches on this union only, so a
 * case for a type missing here does not compile.
 */
export const MEDIA_EVENT_TYPES = [
  'MediaStateChanged',
  'MediaPublished',
  'MediaUnpublished',
  'ParticipantLeft',
  'ParticipantRemoved',
  'ActiveSpeakerChanged',
  'MeetingEnded',
] as const satisfies readonly MeetingEventType[];
type MediaEvent = MeetingEventOf<(typeof MEDIA_EVENT_TYPES)[number]>;
const mediaTypes: ReadonlySet<string> = new Set(MEDIA_EVENT_TYPES);

/**
 * The SFU's reactions to committed meeting events (received on the bus, as a second node would):
 * a mute pauses the producer in the SFU, so a host's mute really silences; a departure closes
 * the participant's transports; the end of the meeting closes its routers; a publication is
 * announced to the others (pulled from its node first when another node hosts it); a new active
 * speaker gets the top simulcast layer.
 */
export function createMeetingEventsController(deps: MeetingEventsControllerDeps) {
  // At-least-once delivery: the same event may come twice.
  const seen = new Lru<string, true>(10_000);

  async function apply(event: MediaEvent, meetingId: string): Promise<void> {
    const room = deps.room(meetingId);
    if (!room) return;
    switch (event.type) {
      case 'MediaStateChanged': {
        const { participantId, kind, enabled } = event.data;
        await room.setSourcesPaused(participantId, sourcesOfKind[kind], !enabled);
        return;
      }
      case 'MediaPublished': {
        const { nodeId, participantId, producerId, source, kind } = event.data;
        if (nodeId !== null && nodeId !== deps.nodeId)
          room.remote?.learn({ producerId, participantId, source, kind, nodeId });
        else room.announcePublished(producerId);
        return;
      }
      case 'MediaUnpublished': {
        room.remote?.forget(event.data.producerId);
        // Normally already closed by whoever unpublished; if it still runs here, stop it.
        const entry = room.producers.get(event.data.producerId);
        if (entry && !entry.producer.closed) {
          entry.closeReason = 'unpublished';
          entry.producer.close();
        }
        return;
      }
      case 'ParticipantLeft':
      case 'ParticipantRemoved': {
        const { participantId } = event.data;
        room.speaker.forget(participantId);
        room.remote?.forgetParticipant(participantId);
        room.closePeer(participantId, 'left');
        if (room.peers.size === 0) deps.closeRoom(meetingId, 'room-empty');
        return;
      }
      case 'ActiveSpeakerChanged':
        room.setActiveSpeaker(event.data.participantId);
        return;
      case 'MeetingEnded':
        deps.closeRoom(meetingId, 'meeting-ended');
        return;
    }
  }

  return {
    async handle(events: StoredEvent[]): Promise<void> {
      for (const stored of events) {
        // A bus without the `types` filter (or a test) may still hand over the others.
        if (!mediaTypes.has(stored.type) || seen.get(stored.eventId)) continue;
        seen.set(stored.eventId, true);
        try {
          const event = toMeetingEvent(stored);
          if (event) await apply(event as MediaEvent, stored.meetingId);
        } catch (error) {
          // One event the SFU cannot act on must not stop the others.
          deps.logger.error(
            { err: error, eventId: stored.eventId, type: stored.type, meetingId: stored.meetingId },
            'media controller could not apply an event',
          );
        }
      }
    },
  };
}
