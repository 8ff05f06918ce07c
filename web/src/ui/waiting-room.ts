import type { VNode } from 'preact';
import { Brand } from './home-page';
import { html } from './html';
import { VideoView } from './media-view';
import { useMeeting, useSession } from './session-context';

/** Admitted by the host, or not: until then, a calm wait with the camera preview. */
export function WaitingRoom(): VNode {
  const session = useSession();
  const title = useMeeting((s) => s.meeting.title);
  const camera = useMeeting((s) => s.local.cameraTrack);
  const connection = useMeeting((s) => s.connection);
  return html`<main class="centered-page waiting-room">
    <${Brand} />
    <div class="card message-card" role="status" aria-live="polite">
      ${camera && html`<div class="waiting-preview"><${VideoView} track=${camera} mirror /></div>`}
      <span class="spinner" aria-hidden="true"></span>
      <h1>Waiting for the host to let you in</h1>
      <p class="muted">
        ${title ? html`You asked to join <strong>${title}</strong>. ` : ''}The host has been told you are
        here.
      </p>
      ${connection === 'reconnecting' && html`<p class="form-error">Connection lost. Reconnecting…</p>`}
      <button class="btn btn-ghost" onClick=${() => session.leave()}>Leave</button>
    </div>
  </main>`;
}
