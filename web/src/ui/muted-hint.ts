import type { VNode } from 'preact';
import { html } from './html';
import { Icon } from './icons';
import { useMeeting, useSession } from './session-context';
import { useTalking } from './use-talking';

/**
 * "You're muted": shown when the microphone is off and the person talks, as Meet and Zoom do.
 * A click unmutes; the text names the keyboard shortcut the meeting really has (Ctrl+D).
 * It sits in the stage's notice column, above the controls, never over them.
 */
export function MutedHint(): VNode | null {
  const session = useSession();
  const audioOn = useMeeting((s) => s.local.audio);
  const talking = useTalking(!audioOn, session.microphoneTrack);
  return html`<div class="muted-hint-slot" role="status" aria-live="polite">
    ${
      !audioOn &&
      talking &&
      html`<button class="muted-hint" onClick=${() => void session.toggleMicrophone()}>
        <${Icon} name="micOff" size=${18} />
        <span>You're muted — press Ctrl+D or click to unmute</span>
      </button>`
    }
  </div>`;
}
