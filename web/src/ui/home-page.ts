import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { errorText } from '../api/error-text';
import { meetingIdFrom, meetingPath } from '../api/meeting-link';
import { api, ApiError } from '../api/rest-client';
import { preferences } from '../session/preferences';
import { html } from './html';
import { Icon } from './icons';
import { navigate } from './router';

/** Start a meeting (title and options) or join one by link or code. */
export function HomePage(): VNode {
  return html`<main class="home">
    <header class="home-header">
      <${Brand} />
    </header>
    <section class="home-hero">
      <h1>Meet face to face, <span class="accent">right from your browser.</span></h1>
      <p class="lede">
        Clear video, screen sharing and chat for your team. No installs, no accounts: share a link and talk.
      </p>
    </section>
    <section class="home-cards">
      <${CreateMeetingCard} />
      <${JoinMeetingCard} />
    </section>
  </main>`;
}

export function Brand(): VNode {
  return html`<a class="brand" href="/" aria-label="Confer home">
    <span class="brand-mark"><${Icon} name="camera" size=${18} /></span>
    <span class="brand-name">Confer</span>
  </a>`;
}

function CreateMeetingCard(): VNode {
  const [title, setTitle] = useState('');
  const [waitingRoom, setWaitingRoom] = useState(false);
  const [muteOnEntry, setMuteOnEntry] = useState(false);
  const [videoOffOnEntry, setVideoOffOnEntry] = useState(false);
  const [passcode, setPasscode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    // The server's rule (8 characters, not one repeated): say it before the round trip.
    if (passcode && (passcode.length < 8 || new Set(passcode).size < 2)) {
      setError('A passcode needs at least 8 characters, not all the same.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.createMeeting(title.trim() || 'Meeting', {
        waitingRoom,
        muteOnEntry,
        videoOffOnEntry,
        maxParticipants: 100,
        ...(passcode ? { passcode } : {}),
      });
      preferences.saveHostToken(created.meetingId, created.hostToken);
      navigate(meetingPath(created.meetingId));
    } catch (e) {
      setError(e instanceof ApiError ? errorText(e.code, e.message) : 'The meeting could not be created.');
      setBusy(false);
    }
  }

  return html`<form class="card create-card" onSubmit=${submit}>
    <h2><${Icon} name="spark" /> New meeting</h2>
    <label class="field">
      <span>Meeting title</span>
      <input
        name="title"
        value=${title}
        maxlength="200"
        placeholder="Weekly sync"
        onInput=${(e: Event) => setTitle((e.target as HTMLInputElement).value)}
      />
    </label>
    <fieldset class="options">
      <legend>Options</legend>
      <${Toggle}
        label="Waiting room"
        hint="You admit each person"
        checked=${waitingRoom}
        onChange=${setWaitingRoom}
      />
      <${Toggle} label="Mute people when they join" checked=${muteOnEntry} onChange=${setMuteOnEntry} />
      <${Toggle}
        label="Cameras off when people join"
        checked=${videoOffOnEntry}
        onChange=${setVideoOffOnEntry}
      />
    </fieldset>
    <label class="field">
      <span>Passcode <small>(optional, at least 8 characters)</small></span>
      <input
        name="passcode"
        type="password"
        autocomplete="new-password"
        value=${passcode}
        maxlength="64"
        onInput=${(e: Event) => setPasscode((e.target as HTMLInputElement).value)}
      />
    </label>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    <button class="btn btn-primary btn-block" type="submit" disabled=${busy}>
      ${busy ? 'Starting…' : 'Start meeting'}
    </button>
  </form>`;
}

function JoinMeetingCard(): VNode {
  const [link, setLink] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(event: Event) {
    event.preventDefault();
    const meetingId = meetingIdFrom(link);
    if (!meetingId) {
      setError('Paste the meeting link, or type its code.');
      return;
    }
    navigate(meetingPath(meetingId));
  }

  return html`<form class="card join-card" onSubmit=${submit}>
    <h2><${Icon} name="link" /> Join a meeting</h2>
    <label class="field">
      <span>Meeting link or code</span>
      <input
        name="link"
        value=${link}
        placeholder="https://…/m/abc123 or abc123"
        onInput=${(e: Event) => setLink((e.target as HTMLInputElement).value)}
      />
    </label>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    <button class="btn btn-secondary btn-block" type="submit">Join</button>
  </form>`;
}

export function Toggle(props: {
  label: string;
  hint?: string;
  checked: boolean;
  onChange(value: boolean): void;
}): VNode {
  return html`<label class="switch">
    <input
      type="checkbox"
      role="switch"
      checked=${props.checked}
      onChange=${(e: Event) => props.onChange((e.target as HTMLInputElement).checked)}
    />
    <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
    <span class="switch-text">${props.label}${props.hint && html`<small>${props.hint}</small>`}</span>
  </label>`;
}
