import type { ServerMessageType, ServerPayloads } from '../../protocol/signaling';

/** Rooms of a meeting's namespace: who receives what. */
export const Rooms = {
  /** Admitted participants: everything of the meeting. */
  joined: 'joined',
  /** Hosts' sockets: also the waiting room. */
  hosts: 'hosts',
  /** One participant's sockets (all their tabs and reconnections). */
  participant: (participantId: string) => `p:${participantId}`,
} as const;

export type OutgoingMessage = {
  [K in ServerMessageType]: {
    to: string[];
    event: K;
    payload: ServerPayloads[K];
  };
}[ServerMessageType];

/** What the gateway must do to the sockets besides sending. */
export type RoomChange =
  | { kind: 'admit'; participantId: string; isHost: boolean }
  /** Made host or co-host: their sockets hear the waiting room from now on. */
  | { kind: 'promote'; participantId: string }
  /** No longer co-host: their sockets stop hearing the waiting room. */
  | { kind: 'demote'; participantId: string }
  | { kind: 'evict'; participantId: string }
  | { kind: 'end' };

export interface Translation {
  messages: OutgoingMessage[];
  changes: RoomChange[];
}
