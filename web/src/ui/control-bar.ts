import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html';
import { Icon, type IconName } from './icons';
import { LayoutButton } from './layout-menu';
import { LeaveDialog } from './leave-dialog';
import { ReactionsButton } from './reactions-menu';
import { SettingsButton } from './settings-button';
import { useMeeting, useSession } from './session-context';

/**
 * The meeting's controls. Accessible names are fixed ("Microphone", "Camera", "Share screen",
 * "Raise hand", "Reactions", "Leave", "Layout", "Chat"; the host's Leave asks about ending for all); on/off is `aria-pressed`, and the
 * tooltip says what a click will do.
 */
export function ControlBar(): VNode {
  const session = useSession();
  const audio = useMeeting((s) => s.local.audio);
  const video = useMeeting((s) => s.local.video);
  const screen = useMeeting((s) => s.local.screen);
  const hand = useMeeting((s) => s.participants[s.selfId]?.handRaised ?? false);
  const panel = useMeeting((s) => s.panel);
  const unread = useMeeting((s) => s.unread);
  const waitingCount = useMeeting((s) => (s.isHost ? Object.keys(s.waiting).length : 0));
  const peopleCount = useMeeting((s) => s.order.length);
  const someoneElsePresents = useMeeting((s) =>
    s.order.some((id) => id !== s.selfId && s.remote[id]?.screen !== undefined),
  );
  const mediaReady = useMeeting((s) => s.media.status === 'ready');
  const canShare = typeof navigator.mediaDevices?.getDisplayMedia === 'function';

  return html`<nav class="control-bar" aria-label="Meeting controls">
    <div class="controls-left">
      <${Clock} />
    </div>
    <div class="controls-center">
      <${ControlButton}
        label="Microphone"
        icon=${audio ? 'mic' : 'micOff'}
        pressed=${audio}
        off=${!audio}
        hint=${audio ? 'Turn off microphone' : 'Turn on microphone'}
        onClick=${() => session.toggleMicrophone()}
      />
      <${ControlButton}
        label="Camera"
        icon=${video ? 'camera' : 'cameraOff'}
        pressed=${video}
        off=${!video}
        hint=${video ? 'Turn off camera' : 'Turn on camera'}
        onClick=${() => session.toggleCamera()}
      />
      ${
        canShare &&
        html`<${ControlButton}
          label="Share screen"
          icon=${screen ? 'screenOff' : 'screen'}
          pressed=${screen}
          active=${screen}
          disabled=${!screen && (someoneElsePresents || !mediaReady)}
          hint=${
            screen
              ? 'Stop presenting'
              : someoneElsePresents
                ? 'Someone else is presenting'
                : mediaReady
                  ? 'Present your screen'
                  : 'Presenting needs the audio and video connection'
          }
          onClick=${() => session.toggleScreen()}
        />`
      }
      <${ControlButton}
        label="Raise hand"
        icon="hand"
        pressed=${hand}
        active=${hand}
        hint=${hand ? 'Lower your hand' : 'Raise your hand'}
        onClick=${() => session.toggleHand()}
      />
      <${ReactionsButton} />
      <${LeaveButton} />
    </div>
    <div class="controls-right">
      <${LayoutButton} />
      <${SettingsButton} />
      <${ControlButton}
        label="Chat"
        icon="chat"
        pressed=${panel === 'chat'}
        active=${panel === 'chat'}
        plain
        badge=${unread > 0 ? unread : undefined}
        description=${unread > 0 ? `${unread} unread` : undefined}
        hint="Chat with everyone"
        onClick=${() => session.setPanel(panel === 'chat' ? null : 'chat')}
      />
      <${ControlButton}
        label="People"
        icon="people"
        pressed=${panel === 'people'}
        active=${panel === 'people'}
        plain
        badge=${waitingCount > 0 ? waitingCount : undefined}
        counter=${peopleCount}
        description=${waitingCount > 0 ? `${waitingCount} waiting to join` : undefined}
        hint="Show everyone"
        onClick=${() => session.setPanel(panel === 'people' ? null : 'people')}
      />
    </div>
  </nav>`;
}

interface ControlButtonProps {
  label: string;
  icon: IconName;
  pressed: boolean;
  hint: string;
  off?: boolean;
  active?: boolean;
  plain?: boolean;
  disabled?: boolean;
  badge?: number;
  counter?: number;
  description?: string;
  onClick(): void;
}

function ControlButton(props: ControlButtonProps): VNode {
  const [busy, setBusy] = useState(false);
  const descriptionId = `${props.label.replace(/\s+/g, '-').toLowerCase()}-description`;
  const classes = [
    'ctrl',
    props.off ? 'ctrl-off' : '',
    props.active ? 'ctrl-active' : '',
    props.plain ? 'ctrl-plain' : '',
  ].join(' ');
  async function click() {
    setBusy(true);
    try {
      await props.onClick();
    } finally {
      setBusy(false);
    }
  }
  return html`<button
    class=${classes}
    aria-label=${props.label}
    aria-pressed=${props.pressed ? 'true' : 'false'}
    aria-describedby=${props.description ? descriptionId : undefined}
    aria-busy=${busy ? 'true' : undefined}
    title=${props.hint}
    disabled=${props.disabled}
    onClick=${click}
  >
    <${Icon} name=${props.icon} size=${22} />
    ${props.counter !== undefined && html`<span class="ctrl-counter" aria-hidden="true">${props.counter}</span>`}
    ${props.badge !== undefined && html`<span class="badge" aria-hidden="true">${props.badge > 99 ? '99+' : props.badge}</span>`}
    ${props.description && html`<span id=${descriptionId} class="visually-hidden">${props.description}</span>`}
  </button>`;
}

/** A guest leaves at once; the host is asked whether to leave or end the meeting for all. */
function LeaveButton(): VNode {
  const session = useSession();
  const isHost = useMeeting((s) => s.isHost);
  const [asking, setAsking] = useState(false);
  return html`<button
      class="btn leave-btn"
      aria-label="Leave"
      aria-haspopup=${isHost ? 'dialog' : undefined}
      title="Leave the meeting"
      onClick=${() => (isHost ? setAsking(true) : void session.leave())}
    >
      <${Icon} name="leave" size=${22} />
    </button>
    ${asking && html`<${LeaveDialog} onCancel=${() => setAsking(false)} />`}`;
}

function Clock(): VNode {
  const title = useMeeting((s) => s.meeting.title);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return html`<div class="meeting-clock">
    <time>${now.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}</time>
    <span class="divider" aria-hidden="true"></span>
    <span class="meeting-title-small">${title}</span>
  </div>`;
}
