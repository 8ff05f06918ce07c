import type { VNode } from 'preact';
import { html } from './html';
import { Icon } from './icons';
import { useMeeting, useSession } from './session-context';

/**
 * The meeting-wide host tools at the top of the People panel: mute everyone else (hosts and
 * co-hosts) and lock the meeting so nobody new may join or knock (the host alone).
 */
export function MeetingHostTools(): VNode {
  const session = useSession();
  const isHost = useMeeting((s) => s.isHost);
  const locked = useMeeting((s) => s.meeting.locked);
  return html`<div class="host-tools" role="group" aria-label="Host tools">
    <button class="btn btn-small btn-ghost" onClick=${() => void session.muteAll()}>
      <${Icon} name="micOff" size=${16} /> Mute all
    </button>
    ${
      isHost &&
      html`<button
        class=${`btn btn-small ${locked ? 'btn-primary' : 'btn-ghost'}`}
        aria-pressed=${locked ? 'true' : 'false'}
        aria-label="Lock meeting"
        title=${locked ? 'Let people join again' : 'Nobody new may join or ask to join'}
        onClick=${() => void session.setLocked(!locked)}
      >
        <${Icon} name="lock" size=${16} /> ${locked ? 'Locked' : 'Lock'}
      </button>`
    }
  </div>`;
}

/** People a host or co-host removed: they are kept out until let back. */
export function RemovedList(): VNode | null {
  const session = useSession();
  const barred = useMeeting((s) => Object.values(s.barred));
  if (barred.length === 0) return null;
  return html`<section class="removed-list" aria-label="Removed">
    <h3>Removed</h3>
    <ul>
      ${barred.map(
        (b) =>
          html`<li class="person" key=${b.participantId}>
            <span class="person-name">${b.displayName}</span>
            <button
              class="btn btn-small btn-ghost"
              aria-label=${`Allow ${b.displayName} back`}
              onClick=${() => void session.allowBack(b.participantId)}
            >
              Allow back
            </button>
          </li>`,
      )}
    </ul>
  </section>`;
}
