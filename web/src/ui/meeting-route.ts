import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { JoinAnswer } from '../api/rest-client';
import { exposeDebugHooks } from '../session/debug-hooks';
import { MeetingSession, type LocalTracks } from '../session/meeting-session';
import { useStore } from '../session/store';
import { EndedPage } from './ended-page';
import { html } from './html';
import { MeetingPage } from './meeting-page';
import { PrejoinPage } from './prejoin-page';
import { SessionContext } from './session-context';
import { WaitingRoom } from './waiting-room';

/** /m/{meetingId}: the pre-join check, then the session (waiting room, meeting, or its end). */
export function MeetingRoute(props: { meetingId: string }): VNode {
  const [session, setSession] = useState<MeetingSession | null>(null);

  useEffect(() => {
    if (!session) return;
    exposeDebugHooks(session);
    // Closing the tab: say goodbye now rather than after the reconnection grace period.
    const onPageHide = () => void session.signaling.request('leave', {}).catch(() => undefined);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      session.dispose();
      exposeDebugHooks(null);
    };
  }, [session]);

  if (!session) {
    return html`<${PrejoinPage}
      meetingId=${props.meetingId}
      onJoined=${(answer: JoinAnswer, tracks: LocalTracks) =>
        setSession(new MeetingSession(props.meetingId, answer, tracks))}
    />`;
  }
  return html`<${SessionContext.Provider} value=${session}>
    <${SessionView} session=${session} onRejoin=${() => setSession(null)} />
  </${SessionContext.Provider}>`;
}

function SessionView(props: { session: MeetingSession; onRejoin(): void }): VNode {
  const phase = useStore(props.session.store, (s) => s.phase);
  switch (phase) {
    case 'connecting':
      return html`<main class="centered-page" aria-busy="true">
        <div class="card message-card">
          <span class="spinner" aria-hidden="true"></span>
          <h1>Joining…</h1>
        </div>
      </main>`;
    case 'waiting':
      return html`<${WaitingRoom} />`;
    case 'joined':
      return html`<${MeetingPage} />`;
    default:
      return html`<${EndedPage} onRejoin=${props.onRejoin} />`;
  }
}
