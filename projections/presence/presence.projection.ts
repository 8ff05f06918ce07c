import type { ProjectionWriter } from '../../domain/ports/projection-store';
import { meetingEventOf } from '../meeting-event';
import type { Projection } from '../projection';
import {
  PRESENCE,
  PRESENCE_NODES,
  PRESENCE_PARTICIPANTS,
  PRESENCE_RECONNECTING,
  presenceKey,
  type Presence,
} from './presence.model';

/**
 * Connections by node, for the sweeper that tells the meeting when a node dies with people on it
 * (cluster/presence-sweeper.ts). A participant is filed under the node of their last
 * connection change until they leave; a change without a node (recorded before nodes were named)
 * files them nowhere. Version 2 files the reconnecting ones a second time (PRESENCE_RECONNECTING).
 */
export function presenceProjection(): Projection {
  return {
    name: 'presence',
    version: 2,
    collections: [PRESENCE, PRESENCE_NODES, PRESENCE_PARTICIPANTS, PRESENCE_RECONNECTING],
    async apply(stored, tx) {
      const event = meetingEventOf(stored);
      if (!event) return;
      const { meetingId } = stored;
      switch (event.type) {
        case 'ParticipantConnectionChanged': {
          const { participantId, connectionStatus, nodeId } = event.data;
          await unfile(tx, meetingId, participantId);
          if (nodeId === null) return;
          const doc: Presence = { meetingId, participantId, connectionStatus, since: stored.occurredAt };
          const key = presenceKey(meetingId, participantId);
          await tx.put(PRESENCE, nodeId, key, doc);
          if (connectionStatus === 'reconnecting') await tx.put(PRESENCE_RECONNECTING, nodeId, key, doc);
          await tx.put(PRESENCE_PARTICIPANTS, meetingId, participantId, { nodeId });
          await tx.put(PRESENCE_NODES, '', nodeId, { nodeId });
          return;
        }
        case 'ParticipantLeft':
        case 'ParticipantRemoved':
        case 'ParticipantDenied':
          return unfile(tx, meetingId, event.data.participantId);
        default:
          return;
      }
    },
  };
}

async function unfile(tx: ProjectionWriter, meetingId: string, participantId: string): Promise<void> {
  const filed = await tx.get<{ nodeId: string }>(PRESENCE_PARTICIPANTS, meetingId, participantId);
  if (!filed) return;
  const key = presenceKey(meetingId, participantId);
  await tx.delete(PRESENCE, filed.nodeId, key);
  await tx.delete(PRESENCE_RECONNECTING, filed.nodeId, key);
  await tx.delete(PRESENCE_PARTICIPANTS, meetingId, participantId);
}
