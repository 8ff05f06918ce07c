import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { preferences } from '../session/preferences';
import { html } from '../ui/html';
import { recordingApi } from './recording-api';
import { useRecordingStatus } from './use-recording-status';

/**
 * The recording indicator everyone sees while the meeting is recorded, and, for the host, the
 * Record / Stop recording button beside it.
 */
export function RecordingControls(props: {
  meetingId: string;
  isHost: boolean;
  /** The recording in progress as the join answer and broadcasts say (at once; polling lags). */
  recordingId?: string | null;
}): VNode {
  const status = useRecordingStatus(props.meetingId, props.recordingId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const token = props.isHost ? preferences.hostToken(props.meetingId) : undefined;

  async function toggle() {
    if (!token) return;
    setBusy(true);
    setError(null);
    try {
      if (status.recording && status.recordingId)
        await recordingApi.stop(props.meetingId, status.recordingId, token);
      else await recordingApi.start(props.meetingId, token);
      status.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="recording-controls">
    ${
      status.recording &&
      html`<span
        class="recording-indicator"
        role="status"
        aria-live="polite"
        title="This meeting is being recorded"
      >
        <span class="recording-dot" aria-hidden="true"></span>REC<span class="visually-hidden">
          This meeting is being recorded</span
        >
      </span>`
    }
    ${
      token &&
      html`<button
        class=${`btn btn-small ${status.recording ? 'btn-danger' : 'btn-ghost'}`}
        data-testid="record-button"
        aria-pressed=${status.recording}
        disabled=${busy}
        onClick=${toggle}
      >
        ${status.recording ? 'Stop recording' : 'Record'}
      </button>`
    }
    ${error && html`<span class="recording-error" role="alert">${error}</span>`}
  </div>`;
}

/** Told before joining: the meeting is being recorded. */
export function RecordingNotice(props: { meetingId: string }): VNode | null {
  const status = useRecordingStatus(props.meetingId);
  if (!status.recording) return null;
  return html`<p class="recording-notice" role="note" data-testid="recording-notice">
    <span class="recording-dot" aria-hidden="true"></span>
    This meeting is being recorded. By joining you agree to appear in the recording.
  </p>`;
}
