import fs from 'node:fs';
import path from 'node:path';

/**
 * `confer/no-import-cycle`: no file may reach itself through relative imports (type-only imports
 * count: a type cycle is still two modules that cannot be understood apart). eslint-plugin-import
 * is not installed here; this reads each file's import specifiers once per lint run.
 */
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const EXTENSIONS = ['.ts', '.tsx', '/index.ts'];
const edges = new Map();

function resolve(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  if (/\.(ts|tsx|js|mjs)$/.test(base) && fs.existsSync(base)) return base;
  for (const ext of EXTENSIONS) if (fs.existsSync(base + ext)) return base + ext;
  return undefined;
}

function importsOf(file) {
  let out = edges.get(file);
  if (out) return out;
  out = [];
  edges.set(file, out);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(file, m[1] ?? m[2]);
    if (target && !/\.test\.ts$/.test(target)) out.push(target);
  }
  return out;
}

/** A path of imports from `start` back to `start`, or undefined. */
function cycleFrom(start) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [file, trail] = stack.pop();
    for (const next of importsOf(file)) {
      if (next === start) return [...trail, start];
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push([next, [...trail, next]]);
    }
  }
  return undefined;
}

export const noImportCycle = {
  meta: { type: 'problem', schema: [], messages: { cycle: 'Import cycle: {{trail}}' } },
  create(context) {
    return {
      Program(node) {
        const file = context.filename;
        if (/\.test\.ts$/.test(file)) return;
        const cycle = cycleFrom(file);
        if (!cycle) return;
        const root = context.cwd;
        context.report({
          node,
          messageId: 'cycle',
          data: { trail: cycle.map((f) => path.relative(root, f)).join(' → ') },
        });
      },
    };
  },
};

export default { rules: { 'no-import-cycle': noImportCycle } };
