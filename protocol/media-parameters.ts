import { z } from 'zod';

/**
 * Outer checks of the RTP/DTLS structures a client sends, before mediasoup's own (which are
 * thorough but name no field): wrong types, absurd sizes and missing parts are refused here with
 * the path of the offending field. Unknown keys pass through to mediasoup, which knows them.
 */
const int = z.number().int();
const parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional();
const rtcpFeedback = z.array(
  z.looseObject({ type: z.string().max(64), parameter: z.string().max(64).optional() }),
);

const codecParameters = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[\w.-]+$/i, 'like audio/opus or video/VP8'),
  payloadType: int.min(0).max(127),
  clockRate: int.positive(),
  channels: int.min(1).max(8).optional(),
  parameters,
  rtcpFeedback: rtcpFeedback.max(20).optional(),
});

const headerExtension = z.looseObject({ uri: z.string().min(1).max(256), id: int.min(1).max(255) });

export const RtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(codecParameters).min(1).max(20),
  headerExtensions: z.array(headerExtension).max(30).optional(),
  encodings: z
    .array(
      z.looseObject({
        ssrc: int.min(0).max(0xffffffff).optional(),
        rid: z.string().max(32).optional(),
        scalabilityMode: z.string().max(16).optional(),
      }),
    )
    .max(10)
    .optional(),
  rtcp: z.looseObject({ cname: z.string().max(256).optional() }).optional(),
});

export const RtpCapabilitiesSchema = z.looseObject({
  codecs: z
    .array(
      z.looseObject({
        kind: z.enum(['audio', 'video']),
        mimeType: z.string().max(64),
        clockRate: int.positive(),
        preferredPayloadType: int.min(0).max(127).optional(),
        parameters,
        rtcpFeedback: rtcpFeedback.max(20).optional(),
      }),
    )
    .max(100),
  headerExtensions: z
    .array(z.looseObject({ uri: z.string().max(256) }))
    .max(100)
    .optional(),
});

export const DtlsParametersSchema = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.looseObject({ algorithm: z.string().min(1).max(32), value: z.string().min(1).max(256) }))
    .min(1)
    .max(10),
});
