import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { JoinAnswer } from '../api/rest-client';
import { exposeDebugHooks } from '../session/debug-hooks';
import { acquirePreferred, DeviceError } from '../session/local-media';
import { mediaChoices } from '../session/media-choices';
import { MeetingSession, type LocalTracks } from '../session/meeting-session';
import type { Phase } from '../session/meeting-state';
import { savedSession, type SavedSession } from '../session/saved-session';
import { useStore } from '../session/store';
import { EndedPage } from './ended-page';
import { html } from './html';
import { MeetingPage } from './meeting-page';
import { PrejoinPage } from './prejoin-page';
import { SessionContext } from './session-context';
import { WaitingRoom } from './waiting-room';

const FINISHED: Phase[] = ['left', 'removed', 'ended', 'denied', 'expired', 'failed'];

/**
 * /m/{meetingId}: the pre-join check, then the session (waiting room, meeting, or its end). A tab
 * that was in the meeting (a reload) skips the pre-join and reconnects as the same participant.
 */
export function MeetingRoute(props: { meetingId: string }): VNode {
  const [session, setSession] = useState<MeetingSession | null>(null);
  const [resuming, setResuming] = useState(() => savedSession.read(props.meetingId) !== null);

  useEffect(() => {
    const saved = savedSession.read(props.meetingId);
    if (!saved) return;
    let cancelled = false;
    void reopenDevices(saved).then((tracks) => {
      if (cancelled) return;
      setSession(
        new MeetingSession(props.meetingId, saved.answer, tracks, {
          firstFrameReported: saved.firstFrameReported,
        }),
      );
      setResuming(false);
    });
    return () => {
      cancelled = true;
    };
  }, [props.meetingId]);

  useEffect(() => {
    if (!session) return;
    exposeDebugHooks(session);
    // A reload or a closed tab: keep what this person sends, for a reload to restore. No "leave"
    // here: a reload is a reconnect, and a closed tab leaves when the grace period runs out.
    const onPageHide = () => {
      const { phase, local } = session.state;
      // Finished (removed, left, ended…): forgotten here as well as by the view's effect, which
      // may not have run yet when the person reloads at once; the next page then asks their name
      // instead of coming back as who they were (host tools, defect 7, failed so in CI).
      if (FINISHED.includes(phase)) savedSession.forget(props.meetingId);
      else
        savedSession.write(props.meetingId, {
          // Admitted since the join answer said "waiting": come back to the meeting, not the wait.
          answer: { ...session.joinAnswer, status: phase === 'waiting' ? 'waiting' : 'joined' },
          audio: local.audio,
          video: local.video,
          firstFrameReported: session.firstFrameReported,
        });
    };
    window.addEventListener('pagehide', onPageHide);
    return () => {
      window.removeEventListener('pagehide', onPageHide);
      session.dispose();
      exposeDebugHooks(null);
    };
  }, [session]);

  if (resuming) return joiningCard('Rejoining…');
  if (!session) {
    return html`<${PrejoinPage}
      meetingId=${props.meetingId}
      onJoined=${(answer: JoinAnswer, tracks: LocalTracks) => {
        savedSession.write(props.meetingId, {
          answer,
          audio: tracks.audioOn,
          video: tracks.videoOn,
          firstFrameReported: false,
        });
        setSession(new MeetingSession(props.meetingId, answer, tracks));
      }}
    />`;
  }
  return html`<${SessionContext.Provider} value=${session}>
    <${SessionView}
      session=${session}
      onRejoin=${() => {
        savedSession.forget(props.meetingId);
        setSession(null);
      }}
    />
  </${SessionContext.Provider}>`;
}

/**
 * The devices the person was using before the reload, as chosen (the browser remembers the
 * permission); the default where a chosen one has gone.
 */
async function reopenDevices(saved: SavedSession): Promise<LocalTracks> {
  const explain = (e: unknown, fallback: string) => (e instanceof DeviceError ? e.message : fallback);
  const choices = mediaChoices.get();
  const acquireMicrophone = () => acquirePreferred('microphone', choices.microphoneId).then((a) => a.track);
  const acquireCamera = () => acquirePreferred('camera', choices.cameraId).then((a) => a.track);
  const [microphone, camera] = await Promise.all([
    acquireMicrophone().then(
      (track) => ({ track, error: null }),
      (e: unknown) => ({ track: null, error: explain(e, 'Microphone could not start.') }),
    ),
    saved.video
      ? acquireCamera().then(
          (track) => ({ track, error: null }),
          (e: unknown) => ({ track: null, error: explain(e, 'Camera could not start.') }),
        )
      : Promise.resolve({ track: null, error: null }),
  ]);
  return {
    microphone: microphone.track,
    camera: camera.track,
    audioOn: saved.audio && microphone.track !== null,
    videoOn: saved.video && camera.track !== null,
    cameraError: camera.error,
    microphoneError: microphone.error,
  };
}

function joiningCard(text: string): VNode {
  return html`<main class="centered-page" aria-busy="true">
    <div class="card message-card">
      <span class="spinner" aria-hidden="true"></span>
      <h1>${text}</h1>
    </div>
  </main>`;
}

function SessionView(props: { session: MeetingSession; onRejoin(): void }): VNode {
  const phase = useStore(props.session.store, (s) => s.phase);
  useEffect(() => {
    // Over for this person: a reload must not try to come back.
    if (FINISHED.includes(phase)) savedSession.forget(props.session.meetingId);
  }, [phase]);
  switch (phase) {
    case 'connecting':
      return joiningCard('Joining…');
    case 'waiting':
      return html`<${WaitingRoom} />`;
    case 'joined':
      return html`<${MeetingPage} />`;
    default:
      return html`<${EndedPage} onRejoin=${props.onRejoin} />`;
  }
}
