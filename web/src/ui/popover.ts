import type { ComponentChildren, VNode } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html';

const MARGIN = 8;

/**
 * A small menu anchored to the button that opened it. Fixed to the viewport (a tile or a
 * filmstrip clips what overflows it, a fixed box escapes that) and kept inside it on a phone:
 * below the button when it fits, else above. Esc or a click elsewhere closes it and gives focus
 * back to the button.
 */
export function Popover(props: {
  anchor: HTMLElement;
  label: string;
  onClose(): void;
  class?: string;
  children: ComponentChildren;
}): VNode {
  const box = useRef<HTMLDivElement>(null);
  const [style, setStyle] = useState('visibility:hidden');
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const a = props.anchor.getBoundingClientRect();
    const { width, height } = el.getBoundingClientRect();
    const left = Math.min(Math.max(MARGIN, a.left + a.width / 2 - width / 2), innerWidth - width - MARGIN);
    const below = a.bottom + MARGIN + height <= innerHeight - MARGIN;
    const top = below ? a.bottom + MARGIN : Math.max(MARGIN, a.top - MARGIN - height);
    setStyle(`left:${Math.round(left)}px;top:${Math.round(top)}px`);
    el.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close();
      else if (el.contains(document.activeElement)) moveFocus(el, event);
    };
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!el.contains(target) && !props.anchor.contains(target)) close();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer, true);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer, true);
    };
  }, [props.anchor]);
  function close() {
    props.onClose();
    props.anchor.focus();
  }
  return html`<div
    class=${`popover ${props.class ?? ''}`}
    role="menu"
    aria-label=${props.label}
    ref=${box}
    style=${style}
  >
    ${props.children}
  </div>`;
}

/** A menu's arrow keys (and Home / End) move between its items, as in any menu. */
function moveFocus(menu: HTMLElement, event: KeyboardEvent): void {
  const items = Array.from(menu.querySelectorAll<HTMLElement>('button'));
  const at = items.indexOf(document.activeElement as HTMLElement);
  const step: Record<string, number> = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? items.length - 1
        : step[event.key] !== undefined
          ? (at + step[event.key]! + items.length) % items.length
          : -1;
  if (next < 0) return;
  event.preventDefault();
  items[next]?.focus();
}

/** Open/closed state for a button that opens a popover, with the button's element as anchor. */
export function usePopover(): {
  anchor: HTMLElement | null;
  toggle(event: MouseEvent): void;
  close(): void;
} {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return {
    anchor,
    toggle: (event: MouseEvent) =>
      setAnchor((current) => (current ? null : (event.currentTarget as HTMLElement))),
    close: () => setAnchor(null),
  };
}
