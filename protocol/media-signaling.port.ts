import type { ClientAnswers, ClientMessage, ClientMessageType, ServerPayloads } from './signaling';

export type MediaMessageType = Extract<ClientMessageType, `media:${string}`>;

/** Sends to one participant's sockets on this node. */
export interface ParticipantChannel {
  emit<K extends keyof ServerPayloads>(event: K, payload: ServerPayloads[K]): void;
}

export interface MediaContext {
  meetingId: string;
  participantId: string;
  /** The participant's sockets (to announce consumers, renegotiation...). */
  channel: ParticipantChannel;
}

/**
 * What the signaling gateway needs from the SFU (implemented in media/). The gateway validates
 * every payload with the protocol's zod schema and binds it to the token's participant first.
 */
export interface MediaSignaling {
  /** Whether this node serves media (the SFU may be disabled by configuration). */
  readonly available: boolean;
  handle<K extends MediaMessageType>(
    type: K,
    payload: ClientMessage<K>,
    context: MediaContext,
  ): Promise<ClientAnswers[K]>;
  /** The participant's last socket on this node went away: close their transports. */
  participantDisconnected(meetingId: string, participantId: string): Promise<void>;
}
