import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The repository's root as V8 names its files (`file:///…/`), wherever it is checked out. */
const ROOT = new URL('..', import.meta.url).href;

/**
 * Where a profiled frame's code lives: a file of ours (relative to the repository), a package of
 * node_modules, a `node:` internal, or V8's own pseudo-frames such as `(garbage collector)`.
 */
export function sourceArea(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  // The innermost package: a dependency's own copy of another (engine.io's ws) is that other.
  const nm = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  return url.startsWith(ROOT) ? url.slice(ROOT.length) : url;
}

/** Whether a frame's file is one of ours (not a dependency's, not Node's). */
export const isOurs = (url: string): boolean => url.startsWith(ROOT) && !url.includes('node_modules');

/**
 * The hottest functions of a V8 `.cpuprofile` by self time, and the share of samples under each
 * source area (our folders, node_modules packages, node internals, idle/GC), optionally only
 * within a window of the monotonic clock (µs, as process.hrtime gives, which V8's ticks share).
 */
export function summarizeCpuProfile(
  file: string,
  window?: { fromUs: number; toUs: number },
  top = 25,
): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    self.set(id, (self.get(id) ?? 0) + 1);
    total++;
  });
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, count] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${sourceArea(url, functionName)}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + count);
    const a = sourceArea(url, functionName);
    byArea.set(a, (byArea.get(a) ?? 0) + count);
  }
  // Inclusive: a sample counts once for every file of ours on its stack (where the time goes from).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, count] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (isOurs(url)) seen.add(url.slice(ROOT.length));
    }
    for (const f of seen) inclusive.set(f, (inclusive.get(f) ?? 0) + count);
  }
  const pct = (n: number) => `${((100 * n) / Math.max(1, total)).toFixed(1).padStart(5)} %`;
  const lines = [`${total} samples${window ? ' in the window' : ''}`, 'self time by area:'];
  for (const [a, n] of [...byArea].sort((x, y) => y[1] - x[1]).slice(0, top)) lines.push(`  ${pct(n)}  ${a}`);
  lines.push('self time by function:');
  for (const [f, n] of [...byFunction].sort((x, y) => y[1] - x[1]).slice(0, top))
    lines.push(`  ${pct(n)}  ${f}`);
  lines.push('inclusive time by file of ours:');
  for (const [f, n] of [...inclusive].sort((x, y) => y[1] - x[1]).slice(0, top))
    lines.push(`  ${pct(n)}  ${f}`);
  return lines.join('\n');
}

/**
 * The event loop's long turns in a `.cpuprofile`: runs of samples that are not `(idle)` spanning
 * at least `minMs`, each with its start (ms into the window), its length, how many samples it
 * holds (far fewer than its milliseconds: the thread waited for a CPU rather than ran) and the
 * functions with the most self time in it. A round's p99 is made of these, which a profile's
 * totals over a whole window average away.
 */
export function longTurns(
  file: string,
  window?: { fromUs: number; toUs: number },
  minMs = 50,
  top = 10,
): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const from = window?.fromUs ?? profile.startTime;
  const to = window?.toUs ?? profile.endTime;
  const turns: { startUs: number; endUs: number; ids: number[] }[] = [];
  let current: (typeof turns)[number] | undefined;
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) return;
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      if (current && current.endUs - current.startUs >= minMs * 1000) turns.push(current);
      current = undefined;
      return;
    }
    current ??= { startUs: t, endUs: t, ids: [] };
    current.endUs = t;
    current.ids.push(id);
  });
  const lines = [`turns of ${minMs} ms or more: ${turns.length}`];
  for (const turn of [...turns].sort((a, b) => b.endUs - b.startUs - (a.endUs - a.startUs)).slice(0, top)) {
    const self = new Map<string, number>();
    for (const id of turn.ids) {
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      const key = `${functionName || '(anonymous)'} ${url.split('/').at(-1) ?? ''}:${lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + 1);
    }
    const hottest = [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([f, n]) => `${f} (${n})`);
    lines.push(
      `  at ${((turn.startUs - from) / 1000).toFixed(0)} ms: ${((turn.endUs - turn.startUs) / 1000).toFixed(0)} ms, ${turn.ids.length} samples; ${hottest.join(', ')}`,
    );
  }
  return lines.join('\n');
}
