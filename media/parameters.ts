import type { types } from 'mediasoup';
import type { z } from 'zod';
import { ConferError } from '../domain/shared/errors';
import {
  DtlsParametersSchema,
  RtpCapabilitiesSchema,
  RtpParametersSchema,
} from '../protocol/media-parameters';

/**
 * The wire shapes (protocol/media-parameters.ts) checked and handed to mediasoup with its types:
 * a refusal names the first bad field.
 */
/** Parses `value` or throws CONFER_MEDIA_INVALID_PARAMETERS naming the first bad field. */
function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = [field, ...(issue?.path.map(String) ?? [])].join('.');
  throw new ConferError('CONFER_MEDIA_INVALID_PARAMETERS', `${path}: ${issue?.message ?? 'invalid'}`, path);
}

export const parseRtpParameters = (value: unknown): types.RtpParameters =>
  parseOrThrow(RtpParametersSchema, value, 'rtpParameters') as types.RtpParameters;
export const parseRtpCapabilities = (value: unknown): types.RtpCapabilities =>
  parseOrThrow(RtpCapabilitiesSchema, value, 'rtpCapabilities') as types.RtpCapabilities;
export const parseDtlsParameters = (value: unknown): types.DtlsParameters =>
  parseOrThrow(DtlsParametersSchema, value, 'dtlsParameters') as types.DtlsParameters;
