import type { VNode } from 'preact';
import { meetingUrl } from '../api/meeting-link';
import { Brand } from './home-page';
import { html } from './html';
import { Icon } from './icons';
import { QualityIndicator, qualityLevel } from './quality-indicator';
import { RecordingControls } from '../recording/recording-controls';
import { useMeeting, useSession } from './session-context';
import { useRoundTrip } from './use-round-trip';

/** Title, invite link and this person's own connection quality. */
export function TopBar(): VNode {
  const session = useSession();
  const title = useMeeting((s) => s.meeting.title);
  const meetingId = useMeeting((s) => s.meeting.meetingId);
  const connection = useMeeting((s) => s.connection);
  const mediaStatus = useMeeting((s) => s.media.status);
  const quality = useMeeting((s) => s.quality[s.selfId]);
  const isHost = useMeeting((s) => s.isHost);
  const recordingId = useMeeting((s) => s.recordingId);
  const link = meetingUrl(meetingId);

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      session.toast('Invite link copied');
    } catch {
      session.toast(`Invite link: ${link}`);
    }
  }

  // Media statistics when there are some; otherwise the round trip to the server.
  const measured = mediaStatus === 'ready' && qualityLevel(quality) !== 'unknown' ? quality : undefined;
  const roundTrip = useRoundTrip(connection === 'online' && measured === undefined);
  const shown = measured ?? roundTrip;
  const level = connection === 'reconnecting' ? 'offline' : shown ? undefined : ('unknown' as const);
  return html`<header class="top-bar">
    <${Brand} />
    <h1 class="meeting-title">${title}</h1>
    <div class="top-actions">
      <${RecordingControls} meetingId=${meetingId} isHost=${isHost} recordingId=${recordingId} />
      <${QualityIndicator} quality=${shown} level=${level} label="Your connection" />
      <button class="btn btn-ghost btn-small" aria-label="Copy invite link" onClick=${copy}>
        <${Icon} name="copy" size=${16} /><span class="invite-text">Invite</span>
      </button>
    </div>
  </header>`;
}
