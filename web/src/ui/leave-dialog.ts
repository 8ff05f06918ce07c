import type { VNode } from 'preact';
import { Dialog } from './dialog';
import { html } from './html';
import { useSession } from './session-context';

/**
 * What the host's Leave asks (as Meet and Zoom do): leave and let the meeting go on, or end it for
 * everyone. Ending is never one click away from leaving.
 */
export function LeaveDialog(props: { onCancel(): void }): VNode {
  const session = useSession();
  return html`<${Dialog} title="Leave the meeting?" onCancel=${props.onCancel}>
    <p class="muted">You are the host. Leave and the meeting goes on; end it and everyone is disconnected.</p>
    <div class="dialog-actions">
      <button class="btn btn-ghost" onClick=${props.onCancel}>Cancel</button>
      <button class="btn btn-ghost" onClick=${() => void session.leave()}>Leave meeting</button>
      <button class="btn btn-danger" onClick=${() => void session.endForAll()}>End meeting for all</button>
    </div>
  </${Dialog}>`;
}
