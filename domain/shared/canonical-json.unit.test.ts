import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

/** The package's answer or the message it threw: the two must agree on both. */
const outcome = (f: (v: unknown) => string | undefined, value: unknown) => {
  try {
    return { out: f(value) };
  } catch (error) {
    return { threw: (error as Error).message };
  }
};
const same = (value: unknown) => expect(outcome(canonicalJson, value)).toEqual(outcome(canonicalize, value));

/** Strings a store meets: any code unit (lone surrogates too), escapes, emoji, long ones. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('\ud800', 'a\udfff', '\u0000\u001f"\\', '\u2028\u2029', '😀', 'é', 'e\u0301', ''),
);
const number = fc.oneof(
  fc.integer(),
  fc.double(), // NaN, ±Infinity and -0 included
  fc.constantFrom(1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
);
const json = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('any'), { maxLength: 5 }),
    fc.dictionary(text, tie('any'), { maxKeys: 6 }),
  ),
})).any;

describe('canonical JSON', () => {
  it('gives what the canonicalize package gives, or throws as it does, on generated values', () => {
    fc.assert(
      fc.property(json, (value) => {
        same(value);
      }),
      { numRuns: 3000 },
    );
  });

  it('sorts keys by UTF-16 code units and writes an event envelope as the package does', () => {
    const event = {
      type: 'ChatMessageSent',
      streamId: 'meeting-1',
      eventId: '0190f1c2-0000-7000-8000-000000000001',
      schemaVersion: 1,
      streamRevision: 12,
      occurredAt: '2026-12-06T00:00:00.000Z',
      meetingId: 'm-1',
      actor: { participantId: 'p1', kind: 'participant' },
      correlationId: 'c-1',
      causationId: undefined,
      data: { text: 'héllo "you" 😀\n', to: null, mentions: ['a', 'b'], z: 1, Z: 2, é: 3, '\ud83d\ude00': 4 },
    };
    expect(canonicalJson(event)).toBe(canonicalize(event));
    // Upper case before lower, then the rest by code unit; causationId (undefined) left out.
    expect(canonicalJson(event.data)).toBe(
      '{"Z":2,"mentions":["a","b"],"text":"héllo \\"you\\" 😀\\n","to":null,"z":1,"é":3,"😀":4}',
    );
  });

  it('leaves to the package what is not plain data: dates, holes, functions, symbols, cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const deep = Array.from({ length: 200 }).reduce<unknown>((inner) => ({ inner }), 1);
    // eslint-disable-next-line no-sparse-arrays
    const holes = [1, , 3];
    for (const value of [
      new Date(0),
      { at: new Date(0) },
      holes,
      [undefined, () => 1, Symbol('s')],
      { f: () => 1, s: Symbol('s'), u: undefined },
      cyclic,
      deep,
      { n: NaN },
      [Infinity],
      'lone \ud800',
      { ['\udc00']: 1 },
      10n,
      undefined,
    ])
      same(value);
    expect(() => canonicalJson(cyclic)).toThrow(/Circular/);
  });
});
