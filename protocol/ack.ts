import { z } from 'zod';

/**
 * The error body every refusal carries, on REST (`{error: ErrorBody}`) and on the sockets (the
 * acknowledgement's `error`, or an `error` message): a stable code from domain/shared/errors.ts,
 * a human message, and the field at fault when one is.
 */
export const ErrorBodySchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ErrorResponseSchema = z.object({ error: ErrorBodySchema });
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

/** The answer to a socket request: its typed data, or a coded error. */
export type Ack<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckCallback<T = unknown> = (response: Ack<T>) => void;
