import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import type { ParticipantView } from '../../../protocol/signaling';
import { Avatar } from './avatar';
import { html } from './html';
import { Icon } from './icons';
import { MeetingHostTools, RemovedList } from './people-host-tools';
import { PersonMenu } from './person-menu';
import { useMeeting, useSession } from './session-context';

/**
 * Who is here (microphone, camera and hand of each), who waits, who was removed, and the
 * controls of hosts and co-hosts (a co-host moderates; only the host changes roles or locks).
 */
export function PeoplePanel(): VNode {
  const session = useSession();
  const order = useMeeting((s) => s.order);
  const participants = useMeeting((s) => s.participants);
  const waiting = useMeeting((s) => Object.values(s.waiting));
  const isHost = useMeeting((s) => s.isHost);
  const isCoHost = useMeeting((s) => s.isCoHost);
  const moderates = isHost || isCoHost;
  const selfId = useMeeting((s) => s.selfId);
  const people = order.map((id) => participants[id]).filter((p): p is ParticipantView => !!p);
  // Raised hands first, in the order they came; then everyone else.
  const sorted = [...people.filter((p) => p.handRaised), ...people.filter((p) => !p.handRaised)];

  return html`<aside class="panel people-panel" aria-label="People">
    <header class="panel-header">
      <h2>People <span class="count">${people.length}</span></h2>
      <button class="icon-btn" aria-label="Close people" onClick=${() => session.setPanel(null)}>
        <${Icon} name="close" />
      </button>
    </header>
    ${moderates && html`<${MeetingHostTools} />`}
    ${
      moderates &&
      waiting.length > 0 &&
      html`<section class="waiting-list" aria-label="Waiting to join">
        <div class="waiting-list-header">
          <h3>Waiting to join</h3>
          ${
            waiting.length > 1 &&
            html`<button class="btn btn-small btn-primary" onClick=${() => void session.admitAll()}>
              Admit all
            </button>`
          }
        </div>
        <ul>
          ${waiting.map(
            (p) =>
              html`<li class="person" key=${p.participantId}>
                <${Avatar} name=${p.displayName} size="sm" />
                <span class="person-name">${p.displayName}</span>
                <span class="person-actions">
                  <button
                    class="btn btn-small btn-ghost"
                    aria-label=${`Deny ${p.displayName}`}
                    onClick=${() => session.deny(p.participantId)}
                  >
                    Deny
                  </button>
                  <button
                    class="btn btn-small btn-primary"
                    aria-label=${`Admit ${p.displayName}`}
                    onClick=${() => session.admit(p.participantId)}
                  >
                    Admit
                  </button>
                </span>
              </li>`,
          )}
        </ul>
      </section>`
    }
    <ul class="people-list" aria-label="In the meeting">
      ${sorted.map(
        (p) =>
          html`<${PersonRow}
            key=${p.participantId}
            person=${p}
            self=${p.participantId === selfId}
            canManage=${moderates && p.participantId !== selfId && (isHost || p.role !== 'host')}
          />`,
      )}
    </ul>
    ${moderates && html`<${RemovedList} />`}
  </aside>`;
}

function PersonRow(props: { person: ParticipantView; self: boolean; canManage: boolean }): VNode {
  const session = useSession();
  const [confirming, setConfirming] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const p = props.person;
  const roleText = p.role === 'host' ? ', host' : p.role === 'co-host' ? ', co-host' : '';
  const states = [
    p.audioEnabled ? 'microphone on' : 'microphone off',
    p.videoEnabled ? 'camera on' : 'camera off',
    p.handRaised ? 'hand raised' : null,
    p.screenSharing ? 'presenting' : null,
    p.connectionStatus === 'reconnecting' ? 'reconnecting' : null,
  ].filter(Boolean);
  return html`<li
    class=${`person${menuOpen ? ' expanded' : ''}`}
    data-participant-id=${p.participantId}
    aria-label=${`${p.displayName}${props.self ? ' (you)' : ''}${roleText}: ${states.join(', ')}`}
  >
    <${Avatar} name=${p.displayName} size="sm" />
    <span class="person-name">
      ${p.displayName}${props.self && html`<small> (You)</small>`}
      ${p.role === 'host' && html`<span class="tag">Host</span>`}
      ${p.role === 'co-host' && html`<span class="tag">Co-host</span>`}
    </span>
    <span class="person-state">
      ${p.handRaised && html`<span class="state-hand"><${Icon} name="hand" label="Hand raised" size=${18} /></span>`}
      ${p.screenSharing && html`<${Icon} name="screen" label="Presenting" size=${18} />`}
      <span class=${p.videoEnabled ? 'state-on' : 'state-off'}>
        <${Icon}
          name=${p.videoEnabled ? 'camera' : 'cameraOff'}
          label=${p.videoEnabled ? 'Camera on' : 'Camera off'}
          size=${18}
        />
      </span>
      <span class=${p.audioEnabled ? 'state-on' : 'state-off'}>
        <${Icon}
          name=${p.audioEnabled ? 'mic' : 'micOff'}
          label=${p.audioEnabled ? 'Microphone on' : 'Microphone off'}
          size=${18}
        />
      </span>
    </span>
    ${
      props.canManage &&
      html`<span class="person-actions host-actions">
        ${
          p.handRaised &&
          html`<button
            class="icon-btn small"
            aria-label=${`Lower ${p.displayName}'s hand`}
            title="Lower hand"
            onClick=${() => session.lowerHandOf(p.participantId)}
          >
            <${Icon} name="hand" size=${16} />
          </button>`
        }
        <button
          class="icon-btn small"
          aria-label=${`Mute ${p.displayName}`}
          title="Mute"
          disabled=${!p.audioEnabled}
          onClick=${() => session.muteParticipant(p.participantId, 'audio')}
        >
          <${Icon} name="micOff" size=${16} />
        </button>
        ${
          confirming
            ? html`<button
                class="btn btn-small btn-danger"
                aria-label=${`Confirm removing ${p.displayName}`}
                ref=${(el: HTMLButtonElement | null) => el?.focus()}
                onClick=${() => void session.removeParticipant(p.participantId)}
                onBlur=${() => setConfirming(false)}
              >
                Remove?
              </button>`
            : html`<button
                class="icon-btn small danger"
                aria-label=${`Remove ${p.displayName}`}
                title="Remove from the meeting"
                onClick=${() => setConfirming(true)}
              >
                <${Icon} name="remove" size=${16} />
              </button>`
        }
        <button
          class="icon-btn small"
          aria-label=${`More actions for ${p.displayName}`}
          aria-expanded=${menuOpen ? 'true' : 'false'}
          title="More actions"
          onClick=${() => setMenuOpen(!menuOpen)}
        >
          <${Icon} name="more" size=${16} />
        </button>
      </span>`
    }
    ${props.canManage && menuOpen && html`<${PersonMenu} person=${p} onDone=${() => setMenuOpen(false)} />`}
  </li>`;
}
