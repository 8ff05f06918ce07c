import { describe, expect, it } from 'vitest';
import { parseDtlsParameters, parseRtpCapabilities, parseRtpParameters } from './parameters';
import { splitPortRange } from './worker-pool';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { code: (error as { code: string }).code, field: (error as { field: string }).field };
  }
  return undefined;
};

describe('client media parameters', () => {
  it('accepts what mediasoup-client sends, keeping fields it does not know', () => {
    const parsed = parseRtpParameters({
      mid: '0',
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: 111,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1 },
        },
      ],
      encodings: [{ ssrc: 1234, dtx: false }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
      rtcp: { cname: 'abc', reducedSize: true },
    });
    expect(parsed.encodings?.[0]).toEqual({ ssrc: 1234, dtx: false });
  });

  it.each([
    [() => parseRtpParameters({ codecs: [] }), 'rtpParameters.codecs'],
    [() => parseRtpParameters('x'), 'rtpParameters'],
    [
      () => parseRtpParameters({ codecs: [{ mimeType: 'opus', payloadType: 1, clockRate: 1 }] }),
      'rtpParameters.codecs.0.mimeType',
    ],
    [
      () =>
        parseRtpParameters({
          codecs: [{ mimeType: 'audio/opus', payloadType: 1, clockRate: 1 }],
          encodings: new Array(11).fill({}),
        }),
      'rtpParameters.encodings',
    ],
    [() => parseDtlsParameters({ fingerprints: [] }), 'dtlsParameters.fingerprints'],
    [
      () => parseDtlsParameters({ role: 'boss', fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] }),
      'dtlsParameters.role',
    ],
    [
      () => parseRtpCapabilities({ codecs: [{ kind: 'text', mimeType: 'x/y', clockRate: 1 }] }),
      'rtpCapabilities.codecs.0.kind',
    ],
  ])('refuses a malformed structure naming the field (%#)', (parse, field) => {
    expect(fieldOf(parse)).toEqual({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field });
  });
});

describe('RTC port range per worker', () => {
  it('splits the range into contiguous slices, the last taking the remainder', () => {
    expect(splitPortRange(40000, 49999, 3)).toEqual([
      [40000, 43332],
      [43333, 46665],
      [46666, 49999],
    ]);
    expect(splitPortRange(40000, 40001, 1)).toEqual([[40000, 40001]]);
  });
  it('refuses a range too small for the workers', () => {
    expect(() => splitPortRange(40000, 40002, 2)).toThrow(/too small/);
  });
});
