import { ConferError, isConferError } from '../domain/shared/errors';

/**
 * Turns what mediasoup throws into the product's coded errors. Its validation messages describe
 * the client's own input (a missing payload type, an unsupported codec), so they are passed on,
 * shortened; a closed router or transport means the session was reset under the request.
 */
export function translateMediaError(error: unknown, field: string): ConferError {
  if (isConferError(error)) return error;
  const name = error instanceof Error ? error.name : '';
  const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 200) : 'rejected';
  if (name === 'InvalidStateError') {
    return new ConferError(
      'CONFER_MEDIA_UNAVAILABLE',
      'The media session was closed or reset meanwhile; negotiate again',
    );
  }
  return new ConferError('CONFER_MEDIA_INVALID_PARAMETERS', `${field}: ${reason}`, field);
}

/** Runs a mediasoup call whose input came from the client, translating its failure. */
export async function withMediaErrors<T>(field: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateMediaError(error, field);
  }
}
