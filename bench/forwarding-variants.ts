import type * as Mediasoup from 'mediasoup';
import { benchForwarding, type ForwardingOptions, type ForwardingRow } from './forwarding';
import { median } from './stats';

/**
 * Two or more ways of forwarding the same stream (a worker's send path, the subscribers' SRTP
 * suite) measured side by side on a bare worker in the same run. The variants are alternated,
 * `rounds` times at every subscriber count, in an order that rotates each round, so that the
 * machine's drift (it is shared and noisy) falls on all of them alike.
 */
export interface ForwardingVariant {
  label: string;
  options: Omit<ForwardingOptions, 'consumers' | 'seconds'>;
}

export interface VariantRoundsOptions {
  consumerCounts: number[];
  rounds: number;
  seconds: number;
}

export type VariantRow = ForwardingRow & { variant: string; round: number };

export async function benchForwardingVariants(
  mediasoup: typeof Mediasoup,
  variants: readonly ForwardingVariant[],
  options: VariantRoundsOptions,
): Promise<VariantRow[]> {
  const rows: VariantRow[] = [];
  for (const consumers of options.consumerCounts) {
    for (let round = 1; round <= options.rounds; round++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(i + round - 1) % variants.length]!;
        const row = await benchForwarding(mediasoup, variant.label, {
          ...variant.options,
          consumers,
          seconds: options.seconds,
        });
        rows.push({ ...row, variant: variant.label, round });
      }
    }
  }
  return rows;
}

/** The median µs per forwarded packet of one variant at one subscriber count. */
export function medianUsPerPacket(rows: readonly VariantRow[], variant: string, consumers: number): number {
  return median(
    rows.filter((r) => r.variant === variant && r.consumers === consumers).map((r) => r.usPerPacket),
  );
}
