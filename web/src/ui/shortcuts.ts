import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { MeetingSession } from '../session/meeting-session';
import { Dialog } from './dialog';
import { html } from './html';
import { useSession } from './session-context';

/**
 * Keyboard shortcuts of the meeting. Meet's Ctrl+D / Ctrl+E for microphone and camera; the rest
 * with Ctrl+Alt so that typing in the chat never triggers them; `?` (outside a text box) shows
 * them all; Esc closes the open panel and returns focus to the button that opened it.
 */
export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Ctrl + D', what: 'Turn the microphone on or off' },
  { keys: 'Ctrl + E', what: 'Turn the camera on or off' },
  { keys: 'Ctrl + Alt + C', what: 'Open or close the chat' },
  { keys: 'Ctrl + Alt + P', what: 'Open or close the people list' },
  { keys: 'Ctrl + Alt + H', what: 'Raise or lower your hand' },
  { keys: 'Ctrl + Alt + L', what: 'Leave the meeting' },
  { keys: 'Esc', what: 'Close the open panel' },
  { keys: '?', what: 'Show these shortcuts' },
];

const typing = (target: EventTarget | null) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

function focusControl(name: string): void {
  document.querySelector<HTMLElement>(`.control-bar [aria-label="${name}"]`)?.focus();
}

function togglePanel(session: MeetingSession, panel: 'chat' | 'people'): void {
  const open = session.state.panel === panel;
  session.setPanel(open ? null : panel);
  if (open) focusControl(panel === 'chat' ? 'Chat' : 'People');
}

export function Shortcuts(): VNode | null {
  const session = useSession();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const ctrl = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      let handled = true;
      if (ctrl && !event.altKey && key === 'd') void session.toggleMicrophone();
      else if (ctrl && !event.altKey && key === 'e') void session.toggleCamera();
      else if (ctrl && event.altKey && event.code === 'KeyC') togglePanel(session, 'chat');
      else if (ctrl && event.altKey && event.code === 'KeyP') togglePanel(session, 'people');
      else if (ctrl && event.altKey && event.code === 'KeyH') void session.toggleHand();
      else if (ctrl && event.altKey && event.code === 'KeyL') focusAndClick('Leave');
      else if (key === '?' && !ctrl && !typing(event.target)) setHelp(true);
      else if (key === 'escape' && session.state.panel && !document.querySelector('.dialog')) {
        const panel = session.state.panel;
        session.setPanel(null);
        focusControl(panel === 'chat' ? 'Chat' : 'People');
      } else handled = false;
      if (handled) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [session]);
  if (!help) return null;
  return html`<${Dialog} title="Keyboard shortcuts" onCancel=${() => setHelp(false)}>
    <dl class="shortcut-list">
      ${SHORTCUTS.map(
        (s) =>
          html`<div key=${s.keys}>
            <dt><kbd>${s.keys}</kbd></dt>
            <dd>${s.what}</dd>
          </div>`,
      )}
    </dl>
    <div class="dialog-actions">
      <button class="btn btn-primary" onClick=${() => setHelp(false)}>Close</button>
    </div>
  </${Dialog}>`;
}

/** Leave goes through its button, so that the host is asked as with a click. */
function focusAndClick(name: string): void {
  const button = document.querySelector<HTMLElement>(`.control-bar [aria-label="${name}"]`);
  button?.focus();
  button?.click();
}
