import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import type { ParticipantView } from '../../../protocol/signaling';
import { defaultSuccessor } from '../session/successor';
import { Dialog } from './dialog';
import { html } from './html';
import { useMeeting, useSession } from './session-context';

/**
 * What the host's Leave asks (as Meet and Zoom do): end the meeting for everyone, or leave and
 * hand the host role to someone (chosen here; by default who has been here longest), so that the
 * people waiting are never stranded. Ending is never one click away from leaving.
 */
export function LeaveDialog(props: { onCancel(): void }): VNode {
  const session = useSession();
  const selfId = useMeeting((s) => s.selfId);
  const participants = useMeeting((s) => s.participants);
  const others = Object.values(participants).filter((p): p is ParticipantView => p.participantId !== selfId);
  const [chosen, setChosen] = useState<string>(() => defaultSuccessor(others, selfId)?.participantId ?? '');
  const successor = participants[chosen] ?? defaultSuccessor(others, selfId);
  return html`<${Dialog} title="Leave the meeting?" onCancel=${props.onCancel}>
    ${
      successor
        ? html`<p class="muted">
              You are the host. Hand the host role to someone so they can let people in, or end the meeting
              for everyone.
            </p>
            <label class="leave-successor">
              <span>New host</span>
              <select
                value=${successor.participantId}
                onChange=${(e: Event) => setChosen((e.target as HTMLSelectElement).value)}
              >
                ${others.map((p) => html`<option key=${p.participantId} value=${p.participantId}>${p.displayName}</option>`)}
              </select>
            </label>`
        : html`<p class="muted">
            You are the host. Leave and the meeting goes on; end it and everyone is disconnected.
          </p>`
    }
    <div class="dialog-actions">
      <button class="btn btn-ghost" onClick=${props.onCancel}>Cancel</button>
      ${
        successor
          ? html`<button class="btn btn-ghost" onClick=${() => void session.leave(successor.participantId)}>
              Leave and make ${successor.displayName} host
            </button>`
          : html`<button class="btn btn-ghost" onClick=${() => void session.leave()}>Leave meeting</button>`
      }
      <button class="btn btn-danger" onClick=${() => void session.endForAll()}>End meeting for all</button>
    </div>
  </${Dialog}>`;
}
