import { z } from 'zod';
import type { ErrorBody } from './ack';

/**
 * The plain WebSocket framing (`ws(s)://<host>/meetings/{meetingId}?token=<token>`): each frame
 * is one JSON text object, the design's `{type, …}`. A request may carry an `id`; it is then
 * answered by a frame `{type: "ack", id, ok, data | error}` (socket.io's acknowledgement).
 */
export const WebSocketRequestIdSchema = z.union([z.string().min(1).max(64), z.number().int()]);
export type WebSocketRequestId = z.infer<typeof WebSocketRequestIdSchema>;

export type WebSocketAck<T = unknown> =
  | { type: 'ack'; id: WebSocketRequestId; ok: true; data: T }
  | { type: 'ack'; id: WebSocketRequestId; ok: false; error: ErrorBody };

/** Close codes the endpoint uses besides 1000: 1008 = refused (token, standing, expiry). */
export const WebSocketCloseCodes = { normal: 1000, refused: 1008 } as const;
