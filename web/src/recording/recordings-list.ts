import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { preferences } from '../session/preferences';
import { html } from '../ui/html';
import { recordingApi, type RecordingView } from './recording-api';

const label: Record<RecordingView['status'], string> = {
  recording: 'Recording…',
  processing: 'Processing',
  available: 'Ready',
  failed: 'Failed',
};

/** The host's recordings of a meeting: status, progress, play in the page, download. */
export function RecordingsList(props: { meetingId: string }): VNode | null {
  const token = preferences.hostToken(props.meetingId);
  const [recordings, setRecordings] = useState<RecordingView[]>([]);
  const [playing, setPlaying] = useState<string | null>(null);
  useEffect(() => {
    if (!token) return;
    let live = true;
    const read = () =>
      recordingApi.list(props.meetingId, token).then(
        (r) => live && setRecordings(r.recordings),
        () => undefined,
      );
    void read();
    const timer = setInterval(read, 3000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [props.meetingId, token]);
  if (!token || recordings.length === 0) return null;
  return html`<section class="recordings-list card" aria-label="Recordings">
    <h2>Recordings</h2>
    <ul>
      ${recordings.map(
        (r) =>
          html`<li key=${r.recordingId} data-testid="recording-item" data-status=${r.status}>
            <span>${new Date(r.startedAt).toLocaleTimeString()}</span>
            <span class="recording-status">${label[r.status]}</span>
            ${
              r.status === 'processing' &&
              html`<progress max="1" value=${r.progress ?? 0} aria-label="Processing progress"></progress>`
            }
            ${r.durationSeconds !== null && html`<span>${Math.round(r.durationSeconds)} s</span>`}
            ${r.failure && html`<span class="recording-error">${r.failure.reason}</span>`}
            ${
              r.downloadUrl &&
              html`<button class="btn btn-small btn-ghost" onClick=${() => setPlaying(r.recordingId)}>
                  Play
                </button>
                <a class="btn btn-small btn-ghost" href=${r.downloadUrl} download>Download</a>`
            }
            ${
              playing === r.recordingId &&
              r.downloadUrl &&
              html`<video class="recording-player" controls autoplay src=${r.downloadUrl}></video>`
            }
          </li>`,
      )}
    </ul>
  </section>`;
}
