import { readFileSync } from 'node:fs';
import type * as Mediasoup from 'mediasoup';
import type { ForwardingRow } from './forwarding';
import { benchForwardingVariants, medianUsPerPacket, type ForwardingVariant } from './forwarding-variants';

/**
 * The worker's two UDP send paths side by side, with the same binary in the same run: one
 * sendmsg per datagram (upstream; MEDIASOUP_SEND_BATCH unset) and the patch's sendmmsg per socket
 * and event-loop turn (MEDIASOUP_SEND_BATCH=1, scripts/mediasoup/send-batch.cpp), alternated
 * (forwarding-variants.ts).
 */
export interface SendBatchingOptions {
  consumerCounts: number[];
  rounds: number;
  seconds: number;
  /** Whole frames back to back (see ForwardingOptions.framesPerSec); 0: a paced stream. */
  framesPerSec?: number;
  rtcMinPort?: number;
}

export interface SendBatchingResult {
  /** False when the worker binary has no batching path (then only the upstream rows exist). */
  supported: boolean;
  rows: (ForwardingRow & { batch: boolean; round: number })[];
  /** Per subscriber count: median µs/packet off and on, and off ÷ on (> 1: batching is cheaper). */
  ratios: { consumers: number; usOff: number; usOn: number; offOverOn: number }[];
}

/** The patched worker reads this variable; an unpatched one does not contain the string at all. */
export function workerHasSendBatching(workerBin: string): boolean {
  return readFileSync(workerBin).includes('MEDIASOUP_SEND_BATCH');
}

const OFF = 'sendmsg each (upstream)';
const ON = 'sendmmsg per loop turn';

export async function benchSendBatching(
  mediasoup: typeof Mediasoup,
  workerBin: string,
  options: SendBatchingOptions,
): Promise<SendBatchingResult> {
  const supported = workerHasSendBatching(workerBin);
  const variant = (batch: boolean): ForwardingVariant => ({
    label: batch ? ON : OFF,
    options: {
      framesPerSec: options.framesPerSec ?? 0,
      ...(options.rtcMinPort === undefined ? {} : { rtcMinPort: options.rtcMinPort }),
      workerEnv: { MEDIASOUP_SEND_BATCH: batch ? '1' : '0' },
    },
  });
  const variants = supported ? [variant(false), variant(true)] : [variant(false)];
  const rows = (await benchForwardingVariants(mediasoup, variants, options)).map((row) => ({
    ...row,
    batch: row.variant === ON,
  }));
  const ratios = supported
    ? options.consumerCounts.map((consumers) => {
        const usOff = medianUsPerPacket(rows, OFF, consumers);
        const usOn = medianUsPerPacket(rows, ON, consumers);
        return { consumers, usOff, usOn, offOverOn: usOff / usOn };
      })
    : [];
  return { supported, rows, ratios };
}
