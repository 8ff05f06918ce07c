import { z } from 'zod';

/**
 * Text that people type (titles, names, chat), checked at every edge so that nothing invalid
 * reaches the store: a lone UTF-16 surrogate cannot be encoded as UTF-8 (it used to make the hash
 * chain's canonicaliser throw inside a group commit and fail other meetings' appends), and control
 * characters have no business in a name or a title. Chat keeps line breaks and tabs.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** Bidirectional overrides and isolates can disguise a name ("evil\u202Etxt.exe"). */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

export const hasLoneSurrogate = (value: string): boolean => !value.isWellFormed();

export interface TextRules {
  /** Longest allowed, in characters (code units). */
  max: number;
  min?: number;
  /** Chat: line breaks and tabs allowed. */
  multiline?: boolean;
  /** Trim surrounding whitespace first (a title of only spaces is then empty, hence refused). */
  trim?: boolean;
}

// The same rules as patterns, so that the published JSON Schema (OpenAPI) says them too and a
// client or fuzzer generating "valid" text stays inside them.
const SINGLE_LINE_CHARS = '[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const MULTI_LINE_CHARS =
  '[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069]';

/** A zod string schema that refuses lone surrogates, control and bidi-override characters. */
export function safeText(rules: TextRules) {
  const chars = rules.multiline ? MULTI_LINE_CHARS : SINGLE_LINE_CHARS;
  // Trimmed text must keep one non-space character: a title of only spaces is invalid, and says so.
  const pattern = new RegExp(rules.trim ? `^(?=[\\s\\S]*\\S)${chars}*$` : `^${chars}*$`);
  const base = rules.trim ? z.string().trim() : z.string();
  return base
    .min(
      rules.min ?? 1,
      (rules.min ?? 1) === 1 ? 'must not be empty' : `must have at least ${rules.min} characters`,
    )
    .max(rules.max)
    .regex(pattern, 'must not contain control or bidirectional-override characters')
    .refine((v) => !hasLoneSurrogate(v), 'must be valid Unicode (no lone surrogate)');
}

/** The check alone, for places that validate without zod (the store's last line of defence). */
export function textProblem(value: string, multiline = false): string | undefined {
  if (hasLoneSurrogate(value)) return 'must be valid Unicode (no lone surrogate)';
  if ((multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE).test(value))
    return 'must not contain control characters';
  if (BIDI_CONTROLS.test(value)) return 'must not contain bidirectional override characters';
  return undefined;
}
