import type { VNode } from 'preact';
import { html } from './html';

/** Calm hues picked from the name, so a person keeps their colour across pages. */
const HUES = [212, 258, 168, 28, 332, 190, 140, 8];

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] ?? '?')][0] ?? '?';
  const last = words.length > 1 ? ([...words[words.length - 1]!][0] ?? '') : '';
  return (first + last).toUpperCase();
}

function hueOf(name: string): number {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return HUES[hash % HUES.length]!;
}

export function Avatar(props: { name: string; size?: 'sm' | 'lg' }): VNode {
  const hue = hueOf(props.name);
  return html`<span class=${`avatar avatar-${props.size ?? 'lg'}`} style=${`--hue:${hue}`} aria-hidden="true"
    >${initials(props.name)}</span
  >`;
}
