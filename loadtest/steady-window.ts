import type { LoadParticipant } from './client';
import type { ResourceSampler } from './resource-usage';
import type { TransportReading } from './traffic';

/**
 * The run's steady window, over which the forwarding cost is read (as LiveKit's tester reads
 * its own): from a few seconds after the last join, once handshakes, first key frames and
 * subscriptions are done, to the end. The sampler marks the CPU at its start; the subscribers'
 * packet counts at its start are held here and subtracted from their final ones.
 */

/** After the last join, before the window opens; and the shortest window worth reading. */
const SETTLE_MS = 3000;
const MIN_WINDOW_MS = 3000;

const packetsOf = (t: TransportReading['traffic']) => t.audio.packetsReceived + t.video.packetsReceived;

/**
 * Opens the window once every join has settled, if the run is long enough: resolves with each
 * joined subscriber's packets so far, or null (too short, or reading failed: no window rather
 * than a failed run).
 */
export async function openSteadyWindow(options: {
  joined: Promise<unknown>;
  subscribers: () => LoadParticipant[];
  sampler: Pick<ResourceSampler, 'mark'>;
  deadline: number;
  now: () => number;
}): Promise<Map<LoadParticipant, number> | null> {
  try {
    await options.joined;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    if (options.deadline - options.now() < MIN_WINDOW_MS) return null;
    const joined = options.subscribers().filter((c) => c.joined);
    const counts = await Promise.all(joined.map(async (c) => packetsOf((await c.traffic()).traffic)));
    await options.sampler.mark();
    return new Map(joined.map((c, i) => [c, counts[i]!]));
  } catch {
    return null;
  }
}

/** Packets the window's subscribers received in it, from their final readings (null without a window). */
export function packetsInWindow(
  start: Map<LoadParticipant, number> | null,
  readings: Map<LoadParticipant, TransportReading>,
): number | null {
  if (!start) return null;
  let packets = 0;
  for (const [client, before] of start) {
    const reading = readings.get(client);
    if (reading) packets += packetsOf(reading.traffic) - before;
  }
  return packets;
}
