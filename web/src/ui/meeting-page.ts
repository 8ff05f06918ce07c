import type { VNode } from 'preact';
import { useEffect } from 'preact/hooks';
import { ChatPanel } from './chat-panel';
import { ControlBar } from './control-bar';
import { html } from './html';
import { AudioSink } from './media-view';
import { MutedHint } from './muted-hint';
import { Notices, Toasts } from './notices';
import { PeoplePanel } from './people-panel';
import { useMeeting } from './session-context';
import { Shortcuts } from './shortcuts';
import { TopBar } from './top-bar';
import { UnmuteRequest } from './unmute-request';
import { VideoStage } from './video-stage';
import { WaitingPrompt } from './waiting-prompt';

/** The meeting: stage of tiles, an optional side panel, and the controls. */
export function MeetingPage(): VNode {
  const panel = useMeeting((s) => s.panel);
  const title = useMeeting((s) => s.meeting.title);
  useEffect(() => {
    document.title = title ? `${title} · Confer` : 'Confer';
    return () => {
      document.title = 'Confer';
    };
  }, [title]);
  return html`<div class=${`meeting ${panel ? 'with-panel' : ''}`}>
    <${TopBar} />
    <main class="meeting-main">
      <section class="stage" aria-label="Participants' video">
        <div class="stage-overlays">
          <${Notices} />
          <${MutedHint} />
          <${WaitingPrompt} />
          <${UnmuteRequest} />
          <${Toasts} />
        </div>
        <${VideoStage} />
      </section>
      ${panel === 'chat' && html`<${ChatPanel} />`} ${panel === 'people' && html`<${PeoplePanel} />`}
    </main>
    <${ControlBar} />
    <${Shortcuts} />
    <${RemoteAudio} />
  </div>`;
}

/** Everyone's microphone, played whatever the layout shows. */
function RemoteAudio(): VNode {
  const tracks = useMeeting((s) =>
    Object.entries(s.remote)
      .map(([id, media]) => ({ id, track: media.microphone?.track }))
      .filter((t): t is { id: string; track: MediaStreamTrack } => t.track !== undefined),
  );
  return html`<div class="visually-hidden" aria-hidden="true">
    ${tracks.map((t) => html`<${AudioSink} key=${t.id} track=${t.track} />`)}
  </div>`;
}
