import type { VNode } from 'preact';
import { useCallback } from 'preact/hooks';
import { Avatar } from './avatar';
import { html } from './html';
import { Icon } from './icons';
import { VideoView } from './media-view';
import { QualityIndicator } from './quality-indicator';
import { useMeeting, useSession } from './session-context';
import { TileMenu } from './tile-menu';
import { TileReaction } from './tile-reaction';
import { useLayout } from './use-layout';

/**
 * One person: their camera (or initials), name, microphone, hand, connection, the reaction they
 * just sent, whether they are pinned or spotlighted, and their options menu.
 */
export function VideoTile(props: { participantId: string; style?: string }): VNode | null {
  const session = useSession();
  const id = props.participantId;
  const participant = useMeeting((s) => s.participants[id]);
  const isSelf = useMeeting((s) => s.selfId === id);
  const localVideo = useMeeting((s) => (s.local.video ? s.local.cameraTrack : null));
  const remoteCamera = useMeeting((s) => s.remote[id]?.camera);
  const speaking = useMeeting((s) => s.activeSpeakerId === id);
  const quality = useMeeting((s) => s.quality[id]);
  const spotlighted = useMeeting((s) => s.spotlightId === id);
  const pinned = useLayout((l) => l.pinnedId === id);
  const consumerId = remoteCamera?.consumerId;
  const watch = useCallback(
    (element: HTMLVideoElement) => (consumerId ? session.viewports.watch(element, consumerId) : undefined),
    [session, consumerId],
  );
  if (!participant) return null;

  const name = participant.displayName;
  const micOn = participant.audioEnabled;
  const track = isSelf
    ? localVideo
    : remoteCamera && !remoteCamera.paused && participant.videoEnabled
      ? remoteCamera.track
      : null;
  const reconnecting = participant.connectionStatus === 'reconnecting';
  const classes = [
    'tile',
    speaking && micOn ? 'speaking' : '',
    track ? 'has-video' : 'no-video',
    reconnecting ? 'reconnecting' : '',
  ].join(' ');

  return html`<div
    class=${classes}
    style=${props.style}
    role="group"
    aria-label=${isSelf ? `${name} (you)` : name}
    data-participant-id=${id}
    data-audio=${micOn ? 'on' : 'off'}
    data-video=${track ? 'on' : 'off'}
    data-pinned=${pinned ? 'true' : undefined}
    data-spotlighted=${spotlighted ? 'true' : undefined}
  >
    ${
      track
        ? html`<${VideoView} track=${track} mirror=${isSelf} onElement=${isSelf ? undefined : watch} />`
        : html`<div class="tile-avatar"><${Avatar} name=${name} /></div>`
    }
    <div class="tile-top">
      ${spotlighted && html`<span class="tile-badge"><${Icon} name="spark" size=${14} /> Spotlight</span>`}
      ${pinned && html`<span class="tile-badge"><${Icon} name="pin" size=${14} /> Pinned</span>`}
      ${
        participant.handRaised &&
        html`<span class="tile-hand"><${Icon} name="hand" label="Hand raised" size=${18} /></span>`
      }
    </div>
    <div class="tile-footer">
      <span class=${`tile-mic ${micOn ? 'on' : 'off'}`}>
        <${Icon}
          name=${micOn ? 'mic' : 'micOff'}
          label=${micOn ? 'Microphone on' : 'Microphone off'}
          size=${16}
        />
      </span>
      <span class="tile-name">${isSelf ? `${name} (You)` : name}</span>
      ${participant.role === 'host' && html`<span class="tag">Host</span>`}
      ${!isSelf && html`<${QualityIndicator} quality=${quality} level=${reconnecting ? 'offline' : undefined} />`}
      <${TileMenu} participantId=${id} name=${name} isSelf=${isSelf} />
    </div>
    <${TileReaction} participantId=${id} name=${isSelf ? 'You' : name} />
    ${reconnecting && html`<div class="tile-overlay">Reconnecting…</div>`}
  </div>`;
}
