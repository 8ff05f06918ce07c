import type { VNode } from 'preact';
import type { ConnectionQuality } from '../../../protocol/signaling';
import { html } from './html';

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown' | 'offline';

const ORDER: QualityLevel[] = ['poor', 'fair', 'good'];

/**
 * Measured loss and round-trip time decide; mediasoup's score (0–10, the lowest of the person's
 * streams) can lower that by one step. A single stream that just started or paused scores 0
 * for a moment, so the score alone never makes a clean connection look poor.
 */
export function qualityLevel(q: ConnectionQuality | undefined): QualityLevel {
  if (!q) return 'unknown';
  const fromScore: QualityLevel | null =
    q.score === null ? null : q.score >= 7 ? 'good' : q.score >= 4 ? 'fair' : 'poor';
  if (q.rttMs === null && q.packetLossPct === null) return fromScore ?? 'unknown';
  const rtt = q.rttMs ?? 0;
  const loss = q.packetLossPct ?? 0;
  const fromNetwork: QualityLevel = loss < 2 && rtt < 200 ? 'good' : loss < 8 && rtt < 400 ? 'fair' : 'poor';
  if (fromScore === null || ORDER.indexOf(fromScore) >= ORDER.indexOf(fromNetwork)) return fromNetwork;
  return ORDER[Math.max(0, ORDER.indexOf(fromNetwork) - 1)]!;
}

const BARS: Record<QualityLevel, number> = { good: 3, fair: 2, poor: 1, unknown: 0, offline: 0 };

function describe(q: ConnectionQuality | undefined): string {
  if (!q) return '';
  const parts = [
    q.rttMs !== null ? `${Math.round(q.rttMs)} ms` : null,
    q.packetLossPct !== null ? `${q.packetLossPct.toFixed(1)} % loss` : null,
    q.jitterMs !== null ? `${Math.round(q.jitterMs)} ms jitter` : null,
    q.bitrateKbps !== null ? `${Math.round(q.bitrateKbps)} kbit/s` : null,
  ].filter(Boolean);
  return parts.join(' · ');
}

/** Three bars; the name says the level, the tooltip the numbers. */
export function QualityIndicator(props: {
  quality?: ConnectionQuality;
  level?: QualityLevel;
  label?: string;
}): VNode {
  const level = props.level ?? qualityLevel(props.quality);
  const bars = BARS[level];
  const name = `${props.label ?? 'Connection'}: ${level === 'unknown' ? 'measuring' : level}`;
  const numbers = describe(props.quality);
  return html`<span
    class=${`quality quality-${level}`}
    role="img"
    aria-label=${name}
    title=${numbers ? `${name} (${numbers})` : name}
  >
    ${[1, 2, 3].map((i) => html`<span class=${`bar bar-${i} ${i <= bars ? 'on' : ''}`}></span>`)}
  </span>`;
}
