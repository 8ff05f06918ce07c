/**
 * Mean opinion score from the ITU-T G.107 E-model in its usual simplified form (as used by VoIP
 * monitors since Cole & Rosenbluth, 2001): an effective one-way latency from the round trip and
 * jitter, the delay impairment from it, 2.5 R points per percent of loss, then G.107's R → MOS map.
 * An estimate for comparing participants and moments, not a listening test.
 */
export function mosOf(figures: {
  rttMs: number | null;
  jitterMs: number | null;
  lossPct: number | null;
}): number | null {
  if (figures.rttMs === null && figures.lossPct === null) return null;
  const latency = (figures.rttMs ?? 0) / 2 + 2 * (figures.jitterMs ?? 0) + 10;
  let r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10;
  r -= 2.5 * (figures.lossPct ?? 0);
  r = Math.min(100, Math.max(0, r));
  const mos = 1 + 0.035 * r + 7e-6 * r * (r - 60) * (100 - r);
  return Math.round(Math.min(4.5, Math.max(1, mos)) * 100) / 100;
}
