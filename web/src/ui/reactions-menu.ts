import type { VNode } from 'preact';
import { REACTION_EMOJI, REACTION_NAMES } from '../../../protocol/signaling';
import { html } from './html';
import { Icon } from './icons';
import { Popover, usePopover } from './popover';
import { useSession } from './session-context';

/** The control bar's Reactions button: six emoji, one click sends one to everyone present. */
export function ReactionsButton(): VNode {
  const session = useSession();
  const popover = usePopover();
  return html`<button
      class=${`ctrl ${popover.anchor ? 'ctrl-active' : ''}`}
      aria-label="Reactions"
      aria-haspopup="menu"
      aria-expanded=${popover.anchor ? 'true' : 'false'}
      title="Send a reaction"
      onClick=${popover.toggle}
    >
      <${Icon} name="smile" size=${22} />
    </button>
    ${
      popover.anchor &&
      html`<${Popover}
        anchor=${popover.anchor}
        label="Reactions"
        class="reactions-popover"
        onClose=${popover.close}
      >
        ${REACTION_EMOJI.map(
          (emoji) =>
            html`<button
              key=${emoji}
              class="reaction-choice"
              role="menuitem"
              aria-label=${REACTION_NAMES[emoji]}
              title=${REACTION_NAMES[emoji]}
              onClick=${() => {
                popover.close();
                void session.react(emoji);
              }}
            >
              ${emoji}
            </button>`,
        )}
      <//>`
    }`;
}
