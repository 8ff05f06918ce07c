import type { z } from 'zod';
import { ConferError } from '../domain/shared/errors';

/** The first zod issue as a coded error naming the field (an extra field names itself). */
export function validationError(error: z.ZodError): ConferError {
  const issue = error.issues[0];
  if (!issue) return new ConferError('CONFER_VALIDATION_FAILED');
  const extra = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const field = [...issue.path.map(String), ...(extra ? [extra] : [])].join('.');
  return new ConferError(
    'CONFER_VALIDATION_FAILED',
    `${field || 'payload'}: ${issue.message}`,
    field || undefined,
  );
}
