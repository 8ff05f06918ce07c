import type { VNode } from 'preact';
import { html } from './html';
import { Icon } from './icons';
import { useMeeting, useSession } from './session-context';

/**
 * "The host asks you to unmute", with Unmute / Dismiss: the host never turns anyone's microphone
 * on; the person decides. Shown over the stage, above the toasts, until they answer.
 */
export function UnmuteRequest(): VNode | null {
  const session = useSession();
  const request = useMeeting((s) => s.unmuteRequest);
  if (!request) return null;
  return html`<section class="unmute-request" role="alertdialog" aria-label="Request to unmute">
    <${Icon} name="mic" size=${18} />
    <p title=${`Asked by ${request.byName}`}>The host asks you to unmute</p>
    <button class="btn btn-small btn-ghost" onClick=${() => void session.answerUnmuteRequest(false)}>
      Dismiss
    </button>
    <button class="btn btn-small btn-primary" onClick=${() => void session.answerUnmuteRequest(true)}>
      Unmute
    </button>
  </section>`;
}
