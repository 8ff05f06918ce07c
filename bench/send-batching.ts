import { readFileSync } from 'node:fs';
import type * as Mediasoup from 'mediasoup';
import { benchForwarding, type ForwardingRow } from './forwarding';

/**
 * The worker's two UDP send paths side by side, with the same binary in the same run: one
 * sendmsg per datagram (upstream; MEDIASOUP_SEND_BATCH unset) and the patch's sendmmsg per socket
 * and event-loop turn (MEDIASOUP_SEND_BATCH=1, scripts/mediasoup/send-batch.cpp). The two are
 * alternated, `rounds` times at every subscriber count, so that the machine's drift (it is shared
 * and noisy) falls on both alike.
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function benchSendBatching(
  mediasoup: typeof Mediasoup,
  workerBin: string,
  options: SendBatchingOptions,
): Promise<SendBatchingResult> {
  const supported = workerHasSendBatching(workerBin);
  const rows: SendBatchingResult['rows'] = [];
  for (const consumers of options.consumerCounts) {
    for (let round = 1; round <= options.rounds; round++) {
      // Off first in odd rounds, on first in even ones: neither always runs on a warmer machine.
      const order = round % 2 ? [false, true] : [true, false];
      for (const batch of order) {
        if (batch && !supported) continue;
        const row = await benchForwarding(
          mediasoup,
          batch ? 'sendmmsg per loop turn' : 'sendmsg each (upstream)',
          {
            consumers,
            seconds: options.seconds,
            framesPerSec: options.framesPerSec ?? 0,
            ...(options.rtcMinPort === undefined ? {} : { rtcMinPort: options.rtcMinPort }),
            workerEnv: { MEDIASOUP_SEND_BATCH: batch ? '1' : '0' },
          },
        );
        rows.push({ ...row, batch, round });
      }
    }
  }
  const ratios = supported
    ? options.consumerCounts.map((consumers) => {
        const us = (batch: boolean) =>
          median(
            rows.filter((r) => r.consumers === consumers && r.batch === batch).map((r) => r.usPerPacket),
          );
        const usOff = us(false);
        const usOn = us(true);
        return { consumers, usOff, usOn, offOverOn: usOff / usOn };
      })
    : [];
  return { supported, rows, ratios };
}
