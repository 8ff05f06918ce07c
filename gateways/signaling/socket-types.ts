import type { Namespace, Server, Socket } from 'socket.io';
import { MEETING_ID_SOURCE } from '../../protocol/ids';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/signaling';

export interface SocketData {
  meetingId: string;
  participantId: string;
  isHost: boolean;
  /** Set when the meeting removed this participant: the disconnect that follows is no drop-out. */
  evicted: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type InterServerEvents = {};
export type SignalingServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type SignalingNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type SignalingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export const MEETING_NAMESPACE = new RegExp(`^/meetings/(${MEETING_ID_SOURCE})$`);
export const meetingNamespaceName = (meetingId: string): string => `/meetings/${meetingId}`;
