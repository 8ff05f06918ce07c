import type { ConnectionQuality } from '../protocol/signaling';

/** An entry nobody has had news of for this long is sent again, so the tooltips' numbers stay fresh. */
export const QUALITY_REFRESH_MS = 30_000;

/** a → b moved by at least `absolute`, and by at least `relative` of a (a value appearing or going counts). */
function moved(a: number | null, b: number | null, absolute: number, relative: number): boolean {
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) >= Math.max(absolute, relative * Math.abs(a));
}

/**
 * Whether a person would see the difference: the score (which moves the bars), loss by half a
 * point, round-trip time by 10 % (5 ms at least), jitter by 20 % (2 ms), bitrate by 20 %
 * (16 kbit/s). Smaller moves are the measurement's own noise from one round to the next.
 */
export function noticeablyChanged(before: ConnectionQuality, now: ConnectionQuality): boolean {
  return (
    before.score !== now.score ||
    moved(before.packetLossPct, now.packetLossPct, 0.5, 0) ||
    moved(before.rttMs, now.rttMs, 5, 0.1) ||
    moved(before.jitterMs, now.jitterMs, 2, 0.2) ||
    moved(before.bitrateKbps, now.bitrateKbps, 16, 0.2)
  );
}

/** Someone to send to: `session` changes when their client starts over (a reload: a new transport). */
export interface QualityRecipient<Peer> {
  peer: Peer;
  session: string;
}

/**
 * Who is sent what of a room's connection quality each round. Sending everyone's figures to
 * everyone costs n² entries a round: for the 100 people a node holds of a meeting by default,
 * 10,000 entries (~1.1 MB of JSON) every five seconds; for 500 on one node, 250,000 (~27 MB,
 * ~100 kbit/s to each person), for numbers that mostly did not move. So a
 * person who has had nothing yet in this session gets everyone's figures; after that, each round
 * carries only the entries that changed noticeably (or were last sent QUALITY_REFRESH_MS ago).
 * The client merges what it receives (`media:quality` was always merged), so nothing changes for it.
 */
export class QualityFanout<Peer extends object> {
  private readonly sent = new Map<string, { quality: ConnectionQuality; at: number }>();
  /** The session each peer was last given the whole room in. */
  private readonly served = new WeakMap<Peer, string>();

  round(
    current: Readonly<Record<string, ConnectionQuality>>,
    recipients: Iterable<QualityRecipient<Peer>>,
    now: number,
  ): Array<[Peer, Record<string, ConnectionQuality>]> {
    const changed: Record<string, ConnectionQuality> = {};
    let anyChanged = false;
    for (const [participantId, quality] of Object.entries(current)) {
      const last = this.sent.get(participantId);
      if (last && now - last.at < QUALITY_REFRESH_MS && !noticeablyChanged(last.quality, quality)) continue;
      changed[participantId] = quality;
      anyChanged = true;
      this.sent.set(participantId, { quality, at: now });
    }
    // Someone who left and comes back is news again.
    for (const participantId of this.sent.keys())
      if (!(participantId in current)) this.sent.delete(participantId);

    const deliveries: Array<[Peer, Record<string, ConnectionQuality>]> = [];
    for (const { peer, session } of recipients) {
      if (this.served.get(peer) !== session) {
        this.served.set(peer, session);
        deliveries.push([peer, { ...current }]);
      } else if (anyChanged) {
        deliveries.push([peer, changed]);
      }
    }
    return deliveries;
  }
}
