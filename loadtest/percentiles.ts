/** Nearest-rank percentile (p in 0..100) of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const summarize = (samples: readonly number[], ...ps: number[]) => ({
  count: samples.length,
  ...Object.fromEntries(ps.map((p) => [`p${p}`, round1(percentile(samples, p))])),
});

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
