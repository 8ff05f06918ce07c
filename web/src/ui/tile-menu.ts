import type { VNode } from 'preact';
import { html } from './html';
import { Icon, type IconName } from './icons';
import { Popover, usePopover } from './popover';
import { useMeeting, useSession } from './session-context';
import { moderates } from '../session/meeting-state';
import { useLayout } from './use-layout';

/**
 * A tile's options (the ⋮ button in its footer, away from the notices at the top of the stage):
 * pin for myself, spotlight for everyone (hosts), hide my own tile.
 */
export function TileMenu(props: { participantId: string; name: string; isSelf: boolean }): VNode {
  const session = useSession();
  const id = props.participantId;
  const popover = usePopover();
  const pinned = useLayout((l) => l.pinnedId === id);
  const spotlighted = useMeeting((s) => s.spotlightId === id);
  const isHost = useMeeting(moderates);
  const run = (action: () => unknown) => () => {
    popover.close();
    void action();
  };
  return html`<button
      class="tile-menu-btn"
      aria-label=${`Options for ${props.isSelf ? 'you' : props.name}`}
      aria-haspopup="menu"
      aria-expanded=${popover.anchor ? 'true' : 'false'}
      title="Pin, spotlight, hide"
      onClick=${popover.toggle}
    >
      <${Icon} name="more" size=${18} />
    </button>
    ${
      popover.anchor &&
      html`<${Popover} anchor=${popover.anchor} label=${`Options for ${props.name}`} onClose=${popover.close}>
        <${MenuItem}
          icon="pin"
          label=${pinned ? 'Unpin' : 'Pin for me'}
          onClick=${run(() => session.layout.pin(pinned ? null : id))}
        />
        ${
          isHost &&
          html`<${MenuItem}
            icon="spark"
            label=${spotlighted ? 'Remove spotlight' : 'Spotlight for everyone'}
            onClick=${run(() => session.spotlight(spotlighted ? null : id))}
          />`
        }
        ${
          props.isSelf &&
          html`<${MenuItem}
            icon="eyeOff"
            label="Hide self view"
            onClick=${run(() => session.layout.setHideSelf(true))}
          />`
        }
      <//>`
    }`;
}

export function MenuItem(props: {
  icon: IconName;
  label: string;
  checked?: boolean;
  onClick(): void;
}): VNode {
  const checkable = props.checked !== undefined;
  return html`<button
    class="menu-item"
    role=${checkable ? 'menuitemradio' : 'menuitem'}
    aria-checked=${checkable ? (props.checked ? 'true' : 'false') : undefined}
    onClick=${props.onClick}
  >
    <${Icon} name=${props.icon} size=${18} />
    <span>${props.label}</span>
    ${props.checked && html`<${Icon} name="check" size=${16} class="menu-check" />`}
  </button>`;
}
