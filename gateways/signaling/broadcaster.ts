import type { StoredEvent } from '../../domain/shared/envelope';
import { serverMessage } from '../../protocol/signaling';
import { Rooms, translateEvent, type Translation } from './event-messages';
import type { Connection } from './connection';
import type { GatewayContext } from './gateway-context';
import { eventBroadcast } from './trace-channels';

/** Events whose messages need the meeting's state (other media kinds; a new moderator's briefing). */
const NEEDS_STATE: ReadonlySet<string> = new Set([
  'MediaStateChanged',
  'HostRoleHandedOver',
  'CoHostGranted',
]);

/** How long the last messages get to leave before an evicted connection is closed. */
const EVICT_CLOSE_DELAY_MS = 50;

/**
 * Every broadcast comes from a committed event received on the bus, so any node fed by the bus
 * sends the same; the bus is at-least-once, so each meeting's revisions are sent once, in order.
 */
export function createBroadcaster(ctx: GatewayContext) {
  /** Per meeting with connections here: the last stream revision broadcast. */
  const broadcastUpTo = new Map<string, number>();

  function evict(connections: Connection[]): void {
    for (const c of connections) {
      c.evicted = true;
      c.rooms.delete(Rooms.joined);
      c.rooms.delete(Rooms.hosts);
    }
    setTimeout(() => {
      for (const c of connections) c.close();
    }, EVICT_CLOSE_DELAY_MS).unref();
  }

  function apply(meetingId: string, translation: Translation): void {
    for (const change of translation.changes) {
      for (const c of ctx.hub.ofParticipant(
        meetingId,
        'participantId' in change ? change.participantId : '',
      )) {
        if (change.kind === 'admit') {
          c.rooms.add(Rooms.joined);
          if (change.isHost) c.rooms.add(Rooms.hosts);
        }
        // A new host or co-host hears the waiting room from this event on (before its messages).
        if (change.kind === 'promote') c.rooms.add(Rooms.hosts);
      }
    }
    for (const message of translation.messages)
      ctx.hub.send(meetingId, message.to, serverMessage(message.event, message.payload));
    ctx.metrics?.broadcasts(translation.messages.length);
    for (const change of translation.changes) {
      if (change.kind === 'evict') evict(ctx.hub.ofParticipant(meetingId, change.participantId));
      if (change.kind === 'demote')
        for (const c of ctx.hub.ofParticipant(meetingId, change.participantId)) c.rooms.delete(Rooms.hosts);
      if (change.kind === 'end') evict(ctx.hub.in(meetingId));
    }
  }

  return {
    async onEvents(events: StoredEvent[]): Promise<void> {
      ctx.commands.observe(events);
      const sent: StoredEvent[] = [];
      for (const event of events) {
        if (!ctx.hub.has(event.meetingId)) continue;
        if (event.streamRevision <= (broadcastUpTo.get(event.meetingId) ?? -1)) continue;
        broadcastUpTo.set(event.meetingId, event.streamRevision);
        const state = NEEDS_STATE.has(event.type)
          ? (ctx.commands.peek(event.meetingId)?.state ?? (await ctx.commands.load(event.meetingId)).state)
          : undefined;
        apply(event.meetingId, translateEvent(event, state));
        if (eventBroadcast.hasSubscribers) eventBroadcast.publish(event);
        sent.push(event);
      }
      if (sent.length > 0) ctx.metrics?.broadcastLag?.(sent);
    },
    /** The meeting has no connection here any more. */
    forget(meetingId: string): void {
      broadcastUpTo.delete(meetingId);
    },
  };
}
