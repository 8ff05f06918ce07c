import { useEffect, useState } from 'preact/hooks';
import type { ConnectionQuality } from '../../../protocol/signaling';

const EVERY_MS = 10_000;

/**
 * The round trip to the server, timed on a tiny request, while `active`: what the connection
 * indicator shows before the SFU's first statistics, or when there is no audio and video at all
 * (alone, nothing sent, or no SFU). Without it the indicator stayed grey ("measuring").
 */
export function useRoundTrip(active: boolean): ConnectionQuality | undefined {
  const [quality, setQuality] = useState<ConnectionQuality | undefined>(undefined);
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    const measure = async () => {
      const started = performance.now();
      try {
        const res = await fetch('/healthz', { cache: 'no-store' });
        await res.arrayBuffer();
        if (stopped) return;
        setQuality({
          rttMs: Math.round(performance.now() - started),
          packetLossPct: null,
          jitterMs: null,
          bitrateKbps: null,
          score: null,
        });
      } catch {
        // Unreachable: the socket's own state says "reconnecting".
      }
    };
    void measure();
    const timer = setInterval(() => void measure(), EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [active]);
  return active ? quality : undefined;
}
