import type { VNode } from 'preact';
import { html } from '../html';
import type { StateAt } from './audit-api';

type Person = StateAt['roster'][number];

const onOff = (label: string, on: boolean) =>
  html`<span class="audit-pill" data-on=${on} title=${`${label} ${on ? 'on' : 'off'}`}
    >${label} ${on ? 'on' : 'off'}</span
  >`;

function PersonRow({ p }: { p: Person }): VNode {
  return html`<li class="audit-person" data-participant=${p.participantId}>
    <span class="audit-name">${p.displayName}${p.role === 'host' ? html` <em>(host)</em>` : null}</span>
    <span class="audit-conn" data-status=${p.connection.status}
      >${p.connection.status}${p.connection.node ? ` · ${p.connection.node}` : ''}</span
    >
    <span class="audit-media">
      ${onOff('mic', p.media.audio)} ${onOff('cam', p.media.video)}
      ${p.media.screen ? onOff('screen', true) : null}
      ${p.handRaised ? html`<span class="audit-pill" data-on="true">✋ hand</span>` : null}
    </span>
  </li>`;
}

function People({ title, people, id }: { title: string; people: Person[]; id: string }): VNode {
  return html`<section class="audit-panel" id=${id}>
    <h2>${title} <span class="audit-count">${people.length}</span></h2>
    ${
      people.length === 0
        ? html`<p class="audit-empty">Nobody</p>`
        : html`<ul>
            ${people.map((p) => html`<${PersonRow} key=${p.participantId} p=${p} />`)}
          </ul>`
    }
  </section>`;
}

const recordingStatus: Record<NonNullable<StateAt['recording']>['status'], string> = {
  recording: 'being recorded',
  processing: 'recorded, being processed',
  available: 'recorded, file available',
  failed: 'recording failed',
};

/** The meeting's latest recording at this instant (nothing when it was never recorded so far). */
function Recording({ recording }: { recording: StateAt['recording'] }): VNode | null {
  if (!recording) return null;
  return html`<section class="audit-panel" id="audit-recording">
    <h2>Recording <span class="audit-count">${recording.count}</span></h2>
    <p data-status=${recording.status}>
      ${recordingStatus[recording.status]} · ${recording.segments} segments stored
      ${recording.failure ? html` · ${recording.failure.stage}: ${recording.failure.reason}` : null}
    </p>
    ${recording.file ? html`<p class="audit-hash">SHA-256 <code>${recording.file.sha256}</code></p>` : null}
  </section>`;
}

/** The meeting as it stood at the slider's instant: people, their media, the chat so far. */
export function StatePanels({ state, stale }: { state: StateAt; stale: boolean }): VNode {
  return html`<div
    class="audit-panels"
    data-revision=${state.revision}
    data-stale=${stale}
    aria-busy=${stale}
  >
    <${People} id="audit-roster" title="In the meeting" people=${state.roster} />
    <${People} id="audit-waiting" title="Waiting room" people=${state.waitingRoom} />
    <${People} id="audit-departed" title="Left, denied or removed" people=${state.departed} />
    <${Recording} recording=${state.recording} />
    <section class="audit-panel" id="audit-chat">
      <h2>Chat so far <span class="audit-count">${state.chat.count}</span></h2>
      ${
        state.chat.recent.length === 0
          ? html`<p class="audit-empty">No messages yet</p>`
          : html`<ol>
              ${state.chat.recent.map(
                (m) =>
                  html`<li key=${m.messageId}>
                    <strong>${m.senderName}</strong> <time>${new Date(m.at).toLocaleTimeString()}</time>
                    <p>${m.content}</p>
                  </li>`,
              )}
            </ol>`
      }
    </section>
  </div>`;
}
