import { channel } from 'node:diagnostics_channel';

/**
 * Where a socket message's time goes, for whoever subscribes (bench/chat-stages.ts does, from a
 * preload in the server's process): the message read and handed to `dispatch`, its answer ready,
 * and each event it caused handed to the sockets. Node's diagnostics channels cost one
 * `hasSubscribers` read each when nobody listens, so they stay in the server as shipped; a
 * subscriber runs synchronously on the event loop and must only note the time.
 */
export const messageReceived = channel('confer:signaling:message-received');
export const messageAnswered = channel('confer:signaling:message-answered');
export const eventBroadcast = channel('confer:signaling:event-broadcast');

/** What `messageReceived` carries: the message as the client sent it. */
export interface TracedMessage {
  type: string;
  payload: unknown;
}

/** What `messageAnswered` carries: the same message, and whether its answer is a success. */
export interface TracedAnswer extends TracedMessage {
  ok: boolean;
}
