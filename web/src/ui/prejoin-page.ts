import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../api/error-text';
import { api, ApiError, type JoinAnswer, type MeetingInfo } from '../api/rest-client';
import { isMeetingView } from '../../../protocol/rest';
import type { LocalTracks } from '../session/meeting-session';
import { preferences } from '../session/preferences';
import { Avatar } from './avatar';
import { Brand } from './home-page';
import { html } from './html';
import { Icon } from './icons';
import { InviteCard } from './invite-card';
import { VideoView } from './media-view';
import { MicLevel } from './mic-level';
import { usePreviewDevices } from './use-preview-devices';
import { useBlurredPreview } from './use-blurred-preview';
import { useDeviceList } from './use-device-list';
import { DeviceFields, type DeviceKind } from './device-fields';
import { choose, chooseEffect, mediaChoices } from '../session/media-choices';
import { useStore } from '../session/store';
import { RecordingNotice } from '../recording/recording-controls';

interface PrejoinProps {
  meetingId: string;
  onJoined(answer: JoinAnswer, tracks: LocalTracks): void;
}

const DEVICE_WAIT_MS = 4000;

type Load =
  { state: 'loading' } | { state: 'ready'; info: MeetingInfo } | { state: 'error'; message: string };

/** Name, camera and microphone check, passcode if needed; then join (or wait to be admitted). */
export function PrejoinPage(props: PrejoinProps): VNode {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [name, setName] = useState(preferences.displayName());
  const [passcode, setPasscode] = useState('');
  const [joining, setJoining] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const devices = usePreviewDevices();
  const choices = useStore(mediaChoices, (c) => c);
  const deviceList = useDeviceList([devices.camera, devices.microphone]);
  const preview = useBlurredPreview(devices.camera, choices.blur);
  const hostToken = preferences.hostToken(props.meetingId);

  useEffect(() => {
    api.meeting(props.meetingId).then(
      (info) =>
        setLoad(
          info.status === 'ended'
            ? { state: 'error', message: 'This meeting has ended.' }
            : { state: 'ready', info },
        ),
      (e: unknown) =>
        setLoad({
          state: 'error',
          message: e instanceof ApiError ? errorText(e.code, e.message) : 'The meeting could not be loaded.',
        }),
    );
  }, [props.meetingId]);

  async function join(event: Event) {
    event.preventDefault();
    const displayName = name.trim();
    if (!displayName) {
      setError({ message: 'Enter your name so others know who you are.', field: 'displayName' });
      return;
    }
    setJoining(true);
    setError(null);
    preferences.saveDisplayName(displayName);
    // Joining a second after the page opened: let the camera and microphone finish starting
    // (not forever: a permission prompt may sit unanswered), so they are sent from the start.
    await Promise.race([devices.settled, new Promise((resolve) => setTimeout(resolve, DEVICE_WAIT_MS))]);
    // Read after the wait: what the devices are now, not when the button was rendered.
    const now = devices.current();
    try {
      const answer = await api.join(
        props.meetingId,
        {
          displayName,
          audioEnabled: now.audioOn && now.microphone !== null,
          videoEnabled: now.videoOn && now.camera !== null,
          ...(passcode ? { passcode } : {}),
        },
        hostToken,
      );
      props.onJoined(answer, devices.handOver());
    } catch (e) {
      setJoining(false);
      if (e instanceof ApiError)
        setError({
          message: errorText(e.code, e.message),
          ...(e.code === 'CONFER_PASSCODE_INVALID' ? { field: 'passcode' } : {}),
        });
      else setError({ message: 'Could not join. Try again.' });
    }
  }

  if (load.state === 'error') {
    return html`<main class="centered-page">
      <${Brand} />
      <div class="card message-card" role="alert">
        <h1>${load.message}</h1>
        <a class="btn btn-primary" href="/">Back to home</a>
      </div>
    </main>`;
  }

  const info = load.state === 'ready' ? load.info : null;
  // Only people in the meeting see who is in it; a newcomer sees the title and the rules.
  const here = info && isMeetingView(info) ? info.participants.map((p) => p.displayName) : [];
  return html`<main class="prejoin">
    <header class="home-header"><${Brand} /></header>
    <div class="prejoin-body">
      <section class="preview-column" aria-label="Camera and microphone check">
        <div class="preview">
          ${
            devices.cameraOn && preview.track
              ? html`<${VideoView} track=${preview.track} mirror label="Your camera preview" />`
              : html`<div class="preview-off">
                  <${Avatar} name=${name || '?'} />
                  <p>${devices.cameraError ? 'No camera' : 'Your camera is off'}</p>
                </div>`
          }
          <div class="preview-controls">
            <button
              class=${`ctrl ${devices.micOn ? '' : 'ctrl-off'}`}
              aria-label="Microphone"
              aria-pressed=${devices.micOn ? 'true' : 'false'}
              title=${devices.micOn ? 'Turn off microphone' : 'Turn on microphone'}
              onClick=${devices.toggleMic}
            >
              <${Icon} name=${devices.micOn ? 'mic' : 'micOff'} size=${22} />
            </button>
            <button
              class=${`ctrl ${devices.cameraOn ? '' : 'ctrl-off'}`}
              aria-label="Camera"
              aria-pressed=${devices.cameraOn ? 'true' : 'false'}
              title=${devices.cameraOn ? 'Turn off camera' : 'Turn on camera'}
              onClick=${devices.toggleCamera}
            >
              <${Icon} name=${devices.cameraOn ? 'camera' : 'cameraOff'} size=${22} />
            </button>
          </div>
        </div>
        ${devices.micOn && devices.microphone && html`<${MicLevel} track=${devices.microphone} />`}
        ${
          (devices.cameraError || devices.microphoneError) &&
          html`<div class="device-errors" role="alert">
            ${devices.cameraError && html`<p><${Icon} name="cameraOff" size=${16} /> ${devices.cameraError}</p>`}
            ${devices.microphoneError && html`<p><${Icon} name="micOff" size=${16} /> ${devices.microphoneError}</p>`}
          </div>`
        }
        ${
          (devices.deviceNotice || preview.error) &&
          html`<div class="device-notices" role="status">
            ${devices.deviceNotice && html`<p>${devices.deviceNotice}</p>`}
            ${preview.error && html`<p>${preview.error}</p>`}
          </div>`
        }
        <${DeviceFields}
          devices=${deviceList}
          choices=${choices}
          onDevice=${(kind: DeviceKind, deviceId: string) =>
            kind === 'speaker' ? choose({ speakerId: deviceId }) : devices.chooseDevice(kind, deviceId)}
          onEffect=${chooseEffect}
        />
      </section>
      <div class="join-column">
        ${hostToken && html`<${InviteCard} meetingId=${props.meetingId} />`}
        <form class="join-form" onSubmit=${join}>
          <${RecordingNotice} meetingId=${props.meetingId} />
          <p class="eyebrow">${hostToken ? 'Your meeting' : 'Ready to join?'}</p>
          <h1 class="prejoin-title">${info ? info.title : html`<span class="skeleton"></span>`}</h1>
          <p class="who">
            ${
              info === null
                ? ' '
                : here.length === 0
                  ? 'No one else is here yet.'
                  : here.length <= 3
                    ? `${here.join(', ')} ${here.length === 1 ? 'is' : 'are'} here.`
                    : `${here.slice(0, 2).join(', ')} and ${here.length - 2} others are here.`
            }
          </p>
          <label class="field">
            <span>Your name</span>
            <input
              name="displayName"
              autocomplete="name"
              maxlength="100"
              value=${name}
              aria-invalid=${error?.field === 'displayName' ? 'true' : undefined}
              onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)}
            />
          </label>
          ${
            // The host's token stands in for the passcode: asking for it would only confuse.
            info?.settings.passcodeRequired &&
            !hostToken &&
            html`<label class="field">
              <span><${Icon} name="lock" size=${14} /> Passcode</span>
              <input
                name="passcode"
                type="password"
                autocomplete="off"
                value=${passcode}
                aria-invalid=${error?.field === 'passcode' ? 'true' : undefined}
                onInput=${(e: Event) => setPasscode((e.target as HTMLInputElement).value)}
              />
            </label>`
          }
          ${error && html`<p class="form-error" role="alert">${error.message}</p>`}
          <button class="btn btn-primary btn-block btn-large" type="submit" disabled=${joining || !info}>
            ${joining ? 'Joining…' : 'Join now'}
          </button>
          ${info?.settings.waitingRoom && !hostToken && html`<p class="hint">The host will let you in.</p>`}
        </form>
      </div>
    </div>
  </main>`;
}
