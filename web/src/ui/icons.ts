import type { VNode } from 'preact';
import { html } from './html';

/**
 * Line icons drawn inline (the page must work offline: no icon font, no CDN). Decorative: the
 * control that holds an icon carries the accessible name. `label` makes an icon an image with
 * its own name, for state icons that stand alone (a muted microphone on a tile).
 */
const PATHS = {
  mic: 'M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z M5 11a7 7 0 0 0 14 0 M12 18v3',
  micOff:
    'M9 9v3a3 3 0 0 0 5.1 2.1 M15 9.3V6a3 3 0 0 0-5.7-1.3 M5 11a7 7 0 0 0 11.5 5.4 M19 11a7 7 0 0 1-.6 2.8 M12 18v3 M3 3l18 18',
  camera: 'M3 8a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z M16 10.5l5-3v9l-5-3',
  cameraOff:
    'M9.5 6H14a2 2 0 0 1 2 2v4.5 M16 10.5l5-3v9l-3.5-2.1 M14.8 17.5A2 2 0 0 1 14 18H5a2 2 0 0 1-2-2V8a2 2 0 0 1 1.3-1.9 M3 3l18 18',
  screen: 'M3 5h18v11H3z M8 20h8 M12 16v4 M9.5 10.5L12 8l2.5 2.5 M12 8v5',
  screenOff: 'M3 5h18v11H3z M8 20h8 M12 16v4 M9.5 8.5l5 5 M14.5 8.5l-5 5',
  hand: 'M8 13V5.5a1.5 1.5 0 0 1 3 0V11 M11 10V4.5a1.5 1.5 0 0 1 3 0V11 M14 10.5V6a1.5 1.5 0 0 1 3 0v8a7 7 0 0 1-7 7h-.5a6 6 0 0 1-5-2.7L3.3 14.5a1.5 1.5 0 0 1 2.4-1.8L8 15',
  chat: 'M4 5h16v11H9l-5 4z M8 9.5h8 M8 12.5h5',
  people:
    'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M2.5 20a6.5 6.5 0 0 1 13 0 M16 4.3a3.5 3.5 0 0 1 0 6.4 M18 14a6.5 6.5 0 0 1 3.5 6',
  leave:
    'M3.5 14.5c5-5 12-5 17 0l-1.7 2.6a1 1 0 0 1-1.3.3l-2.6-1.3a1 1 0 0 1-.5-.9V13a10 10 0 0 0-4.8 0v2.2a1 1 0 0 1-.5.9l-2.6 1.3a1 1 0 0 1-1.3-.3z',
  close: 'M6 6l12 12 M18 6L6 18',
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  send: 'M4 12l16-8-6 16-2.5-6.5z M11.5 13.5L20 4',
  check: 'M5 12.5l4.5 4.5L19 7',
  remove: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M2.5 20a6.5 6.5 0 0 1 13 0 M17 8l4 4 M21 8l-4 4',
  lock: 'M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  wifiOff: 'M3 3l18 18 M8.5 16.5a5 5 0 0 1 7 0 M5 13a10 10 0 0 1 4-2.4 M19 13a10 10 0 0 0-3-2 M12 20h.01',
  settings:
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
  speaker: 'M4 9h4l5-4v14l-5-4H4z M16.5 8.5a5 5 0 0 1 0 7 M19 6a8.5 8.5 0 0 1 0 12',
  spark: 'M12 3v4 M12 17v4 M3 12h4 M17 12h4 M6 6l2.5 2.5 M15.5 15.5L18 18 M6 18l2.5-2.5 M15.5 8.5L18 6',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1 M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  crown: 'M4 18h16 M4 18L3 8l5 4 4-6 4 6 5-4-1 10',
  // The stage (layout, pin, reactions, full screen)
  more: 'M12 5.5h.01 M12 12h.01 M12 18.5h.01',
  pin: 'M9 4h6 M10 4v5l-3 4h10l-3-4V4 M12 13v7',
  grid: 'M4 4h7v7H4z M13 4h7v7h-7z M4 13h7v7H4z M13 13h7v7h-7z',
  speakerView: 'M3 4h18v11H3z M3 18h5v2H3z M9.5 18h5v2h-5z M16 18h5v2h-5z',
  smile: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M8.5 14a4.5 4.5 0 0 0 7 0 M9 9.5h.01 M15 9.5h.01',
  fullscreen: 'M4 9V4h5 M20 9V4h-5 M4 15v5h5 M20 15v5h-5',
  fullscreenExit: 'M9 4v5H4 M15 4v5h5 M9 20v-5H4 M15 20v-5h5',
  eyeOff:
    'M3 3l18 18 M10.6 6.1A9.7 9.7 0 0 1 12 6c5 0 9 6 9 6a16 16 0 0 1-2.6 3.2 M6.6 7.6A16 16 0 0 0 3 12s4 6 9 6a9 9 0 0 0 4.2-1 M10 10a3 3 0 0 0 4 4',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon(props: { name: IconName; label?: string; size?: number; class?: string }): VNode {
  const size = props.size ?? 20;
  const a11y = props.label ? { role: 'img', 'aria-label': props.label } : { 'aria-hidden': 'true' };
  return html`<svg
    class=${`icon ${props.class ?? ''}`}
    width=${size}
    height=${size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="1.8"
    stroke-linecap="round"
    stroke-linejoin="round"
    focusable="false"
    ...${a11y}
  >
    <path d=${PATHS[props.name]} />
  </svg>`;
}
