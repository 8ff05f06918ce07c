/**
 * The few samples the load tester reads from Prometheus' text format: sums over every series of
 * a metric (labels ignored), so a node label or several series add up.
 */
export function sumMetric(text: string, name: string): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(rest.slice(rest.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/** One labelled series' value, e.g. confer_sfu_objects{object="consumers"}. */
export function labelledMetric(text: string, name: string, label: string, value: string): number | undefined {
  const needle = `${label}="${value}"`;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(needle)) {
      const n = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(n)) return n;
    }
  return undefined;
}
