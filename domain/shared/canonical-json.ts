import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON, byte for byte what the `canonicalize` package gives, which
 * defined the hash chain and the audit checkpoints first and still decides every case outside
 * plain JSON data. Why not only the package: the store's writer canonicalises every event it
 * hashes, and the package spent 5.8 % of a core there at 4,000 chats/s (December 2026 profile),
 * mostly checking strings for lone surrogates one character at a time in JavaScript and keeping a
 * Set against cycles. Event data is plain JSON (it comes through zod schemas), so this walks it
 * with the engine's own checks (`isWellFormed`, `JSON.stringify`) and a depth bound instead of the
 * Set; anything else (a non-finite number, a lone surrogate, `toJSON`, a function or symbol, a
 * nesting deeper than the bound, which a cycle always reaches) is handed to the package whole,
 * so that it answers or throws exactly as before. canonical-json.unit.test.ts checks the two
 * against each other on generated values.
 */
export function canonicalJson(value: unknown): string | undefined {
  const out = plain(value, 0);
  return out === undefined ? canonicalize(value) : out;
}

/** Deeper than this, the package decides (it finds cycles; real events are a few levels deep). */
const MAX_DEPTH = 64;

/** The canonical form of plain JSON data, or undefined when the package must decide. */
function plain(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? JSON.stringify(value) : undefined;
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) return undefined;
      return Array.isArray(value) ? array(value, depth + 1) : object(value, depth + 1);
    default:
      // undefined, functions, symbols and bigints at the top: the package's own answer.
      return undefined;
  }
}

function array(values: readonly unknown[], depth: number): string | undefined {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (!(i in values)) return undefined; // a hole: the package writes nothing there
    const item = values[i];
    // The package writes null for these; `undefined` from `plain` means "not plain" instead.
    const part = item === undefined ? 'null' : plain(item, depth);
    if (part === undefined) return undefined;
    out += i === 0 ? part : `,${part}`;
  }
  return `${out}]`;
}

function object(value: object, depth: number): string | undefined {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  const record = value as Record<string, unknown>;
  // Default sort: UTF-16 code units, as RFC 8785 orders property names.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue; // left out, as JSON.stringify and the package do
    if (!key.isWellFormed()) return undefined;
    const part = plain(item, depth);
    if (part === undefined) return undefined;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${part}`;
    first = false;
  }
  return `${out}}`;
}
