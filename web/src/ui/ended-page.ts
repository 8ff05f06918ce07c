import type { VNode } from 'preact';
import type { Phase } from '../session/meeting-state';
import { Brand } from './home-page';
import { preferences } from '../session/preferences';
import { html } from './html';
import { useMeeting } from './session-context';
import { RecordingsList } from '../recording/recordings-list';

const COPY: Partial<Record<Phase, { title: string; text: string; rejoin: boolean }>> = {
  left: { title: 'You left the meeting', text: 'Changed your mind? You can join again.', rejoin: true },
  ended: { title: 'The meeting has ended', text: 'The host ended the meeting for everyone.', rejoin: false },
  removed: { title: 'You were removed from the meeting', text: 'The host removed you.', rejoin: false },
  denied: {
    title: 'The host did not let you in',
    text: 'Ask the host for another invitation.',
    rejoin: false,
  },
  expired: {
    title: 'You were disconnected',
    text: 'The connection was lost for too long. Join again to continue.',
    rejoin: true,
  },
  failed: {
    title: 'Could not connect to the meeting',
    text: 'Check your connection and try again.',
    rejoin: true,
  },
};

export function EndedPage(props: { onRejoin(): void }): VNode {
  const phase = useMeeting((s) => s.phase);
  const detail = useMeeting((s) => s.phaseDetail);
  const title = useMeeting((s) => s.meeting.title);
  const meetingId = useMeeting((s) => s.meeting.meetingId);
  // The host (this tab created the meeting) may look back at it.
  const isHost = preferences.hostToken(meetingId) !== undefined;
  const copy = COPY[phase] ?? COPY.failed!;
  return html`<main class="centered-page ended-page">
    <${Brand} />
    <div class="card message-card" role="status">
      <h1>${copy.title}</h1>
      ${title && html`<p class="muted">${title}</p>`}
      <p>${detail ?? copy.text}</p>
      <div class="actions">
        ${copy.rejoin && html`<button class="btn btn-primary" onClick=${props.onRejoin}>Rejoin</button>`}
        ${
          isHost &&
          html`<a class="btn btn-ghost insights-link" href=${`/m/${meetingId}/insights`}
            >See meeting insights</a
          >`
        }
        <a class="btn btn-ghost" href="/">Back to home</a>
      </div>
    </div>
    <${RecordingsList} meetingId=${meetingId} />
  </main>`;
}
