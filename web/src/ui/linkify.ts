/**
 * Splits chat text into plain text and web links. Only http and https addresses become links
 * (never javascript:, data: or anything else), and the caller renders both as text nodes or
 * attributes, never as HTML.
 */
export type Piece = { text: string } | { href: string; text: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than an address ("see https://a.b/c."). */
const TRAILING = /[.,;:!?)\]}'"]+$/;

export function linkify(text: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let candidate = match[0];
    const trailing = TRAILING.exec(candidate)?.[0] ?? '';
    // Keep a closing bracket that belongs to the address (Wikipedia's "Foo_(bar)").
    candidate = candidate.slice(0, candidate.length - trailing.length);
    const href = safeHref(candidate);
    if (!href) continue;
    const start = match.index;
    if (start > at) pieces.push({ text: text.slice(at, start) });
    pieces.push({ href, text: candidate });
    at = start + candidate.length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? candidate : null;
  } catch {
    return null;
  }
}
