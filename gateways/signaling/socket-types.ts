import type { Server, Socket } from 'socket.io';
import { MEETING_ID_SOURCE } from '../../protocol/ids';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/signaling';
import type { Identity } from './connection';

export interface SocketData {
  /** Set by the handshake from the verified token. */
  identity: Identity;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type InterServerEvents = {};
export type SignalingServer = Server<
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
