import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { html } from './html';
import { Icon } from './icons';
import { SettingsDialog } from './settings-dialog';

/** The control bar's way to the devices and effects (the dialog returns focus here when it closes). */
export function SettingsButton(): VNode {
  const [open, setOpen] = useState(false);
  return html`<button
      class="ctrl ctrl-plain"
      aria-label="Settings"
      aria-haspopup="dialog"
      aria-expanded=${open ? 'true' : 'false'}
      title="Camera, microphone, speaker and effects"
      onClick=${() => setOpen(true)}
    >
      <${Icon} name="settings" size=${22} />
    </button>
    ${open && html`<${SettingsDialog} onClose=${() => setOpen(false)} />`}`;
}
