import type { ComponentChildren, VNode } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html';

/**
 * A small modal question. Focus moves into it and returns to whatever opened it when it closes;
 * Esc and a click on the backdrop cancel.
 */
export function Dialog(props: { title: string; onCancel(): void; children: ComponentChildren }): VNode {
  const box = useRef<HTMLDivElement>(null);
  // Whatever had focus when the dialog was first rendered (an effect runs later, too late).
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  // Before the browser paints: an Esc pressed as soon as the dialog shows must close it.
  useLayoutEffect(() => {
    box.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') props.onCancel();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, []);
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return html`<div
    class="dialog-backdrop"
    onClick=${(e: MouseEvent) => e.target === e.currentTarget && props.onCancel()}
  >
    <div class="dialog card" role="dialog" aria-modal="true" aria-labelledby=${titleId} ref=${box}>
      <h2 id=${titleId}>${props.title}</h2>
      ${props.children}
    </div>
  </div>`;
}
