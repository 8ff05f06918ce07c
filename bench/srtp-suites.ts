import type * as Mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { BROWSER_SRTP_SUITE } from '../media/testing/synthetic-rtp';
import {
  benchForwardingVariants,
  medianUsPerPacket,
  type VariantRoundsOptions,
  type VariantRow,
} from './forwarding-variants';

/**
 * What the subscribers' SRTP suite costs the worker per forwarded packet: the AEAD suite browsers
 * negotiate with mediasoup (AES-GCM, one pass with AES-NI) against AES-CM with HMAC-SHA1, which
 * libwebrtc builds without GCM negotiate (the load tester's wrtc does) and which the forwarding
 * figures before December 2026 were measured with.
 */
export const HMAC_SRTP_SUITE: types.SrtpCryptoSuite = 'AES_CM_128_HMAC_SHA1_80';

export interface SrtpSuitesResult {
  rows: VariantRow[];
  /** Per subscriber count: median µs/packet with each suite; hmac ÷ browser > 1: the browsers' suite is cheaper. */
  ratios: { consumers: number; usBrowser: number; usHmac: number; hmacOverBrowser: number }[];
}

export async function benchSrtpSuites(
  mediasoup: typeof Mediasoup,
  options: VariantRoundsOptions,
): Promise<SrtpSuitesResult> {
  const rows = await benchForwardingVariants(
    mediasoup,
    [BROWSER_SRTP_SUITE, HMAC_SRTP_SUITE].map((suite) => ({ label: suite, options: { srtp: suite } })),
    options,
  );
  const ratios = options.consumerCounts.map((consumers) => {
    const usBrowser = medianUsPerPacket(rows, BROWSER_SRTP_SUITE, consumers);
    const usHmac = medianUsPerPacket(rows, HMAC_SRTP_SUITE, consumers);
    return { consumers, usBrowser, usHmac, hmacOverBrowser: usHmac / usBrowser };
  });
  return { rows, ratios };
}
