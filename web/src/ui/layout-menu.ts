import type { VNode } from 'preact';
import { html } from './html';
import { Icon } from './icons';
import { Popover, usePopover } from './popover';
import { useSession } from './session-context';
import { MenuItem } from './tile-menu';
import { useLayout } from './use-layout';

/** The control bar's Layout button: grid or speaker view, and the self view; remembered. */
export function LayoutButton(): VNode {
  const session = useSession();
  const popover = usePopover();
  const mode = useLayout((l) => l.mode);
  const hideSelf = useLayout((l) => l.hideSelf);
  const choose = (action: () => void) => () => {
    action();
    popover.close();
  };
  return html`<button
      class=${`ctrl ctrl-plain ${popover.anchor ? 'ctrl-active' : ''}`}
      aria-label="Layout"
      aria-haspopup="menu"
      aria-expanded=${popover.anchor ? 'true' : 'false'}
      title="Change the layout"
      onClick=${popover.toggle}
    >
      <${Icon} name=${mode === 'grid' ? 'grid' : 'speakerView'} size=${22} />
    </button>
    ${
      popover.anchor &&
      html`<${Popover} anchor=${popover.anchor} label="Layout" onClose=${popover.close}>
        <${MenuItem}
          icon="grid"
          label="Grid"
          checked=${mode === 'grid'}
          onClick=${choose(() => session.layout.setMode('grid'))}
        />
        <${MenuItem}
          icon="speakerView"
          label="Speaker"
          checked=${mode === 'speaker'}
          onClick=${choose(() => session.layout.setMode('speaker'))}
        />
        <${MenuItem}
          icon="eyeOff"
          label=${hideSelf ? 'Show self view' : 'Hide self view'}
          onClick=${choose(() => session.layout.setHideSelf(!hideSelf))}
        />
      <//>`
    }`;
}
