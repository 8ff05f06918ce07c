import { z } from 'zod';

/**
 * Who is connected through which node: partition nodeId, key `<meetingId>/<participantId>`, so
 * that everyone last connected through a node that is gone is one range read away.
 */
export const PRESENCE = 'presence';
/**
 * The same entries as PRESENCE, only for people shown reconnecting: the sweeper's backstop looks
 * at these on a live node, so a pass costs the few reconnecting people there, not everyone.
 */
export const PRESENCE_RECONNECTING = 'presence_reconnecting';
/** Every node that has carried a connection (partition '', key nodeId): where to look for ghosts. */
export const PRESENCE_NODES = 'presence_nodes';
/** Per participant (partition meetingId, key participantId): the node they are filed under. */
export const PRESENCE_PARTICIPANTS = 'presence_participants';

export const PresenceSchema = z.object({
  meetingId: z.string(),
  participantId: z.string(),
  connectionStatus: z.enum(['connected', 'reconnecting']),
  /** When the connection status last changed (the event's time). */
  since: z.string(),
});
export type Presence = z.infer<typeof PresenceSchema>;

export const presenceKey = (meetingId: string, participantId: string) => `${meetingId}/${participantId}`;
