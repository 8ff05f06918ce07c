import type { MediaType } from '../../../protocol/signaling';
import { listDevices, watchDevices } from './devices';
import { startEffect, type EffectName } from './effects/start-effect';
import type { TrackEffect } from './effects/track-effect';
import { acquireScreen, acquirePreferred, DeviceError, deviceIdOf, stopTrack } from './local-media';
import { choose, chooseDevice, chooseEffect, chosenDevice, mediaChoices } from './media-choices';
import type { MediaSession } from './media-session';
import type { MeetingClientState, Toast } from './meeting-state';
import type { Store } from './store';

/** The tracks the pre-join page opened, handed over so the camera does not blink. */
export interface LocalTracks {
  microphone: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  /** The pre-join toggles: what the person wants to send. */
  audioOn: boolean;
  videoOn: boolean;
  cameraError: string | null;
  microphoneError: string | null;
}

export interface PublishingDeps {
  store: Store<MeetingClientState>;
  media: MediaSession;
  /** Records mute/unmute in the meeting; resolves whether the meeting accepted it. */
  record(type: 'mute' | 'unmute', mediaType: MediaType): Promise<boolean>;
  toast(text: string, tone: Toast['tone']): void;
}

type Kind = 'microphone' | 'camera';
const EFFECT_OF: Record<Kind, EffectName> = { camera: 'blur', microphone: 'noiseSuppression' };

/**
 * What this person sends: microphone, camera and screen. The meeting-level `mute`/`unmute` is the
 * record (the SFU pauses and resumes the producer on those events); locally the producer is paused
 * at once, and a camera that is off is stopped so that its light goes out.
 *
 * Each device's own track (`raw`) may be seen through an effect (blur, noise suppression): what is
 * sent is the effect's track. Switching devices or effects replaces the producer's track: the
 * others keep receiving, nobody rejoins. The store's `cameraTrack` is what is sent (the self view
 * shows the blur the others see).
 */
export class Publishing {
  private readonly raw: Record<Kind, MediaStreamTrack | null>;
  private readonly effects: Record<Kind, TrackEffect | null> = { microphone: null, camera: null };
  /** What the person last chose to send (the meeting may still hold it off). */
  private wants: { audio: boolean; video: boolean };
  private disposed = false;
  private readonly unwatchDevices: () => void;
  /** Settles once the chosen effects run on the handed-over tracks: nothing unblurred goes out first. */
  readonly ready: Promise<void>;

  constructor(
    private readonly deps: PublishingDeps,
    tracks: LocalTracks,
  ) {
    this.raw = { microphone: tracks.microphone, camera: tracks.camera };
    this.wants = { audio: tracks.audioOn, video: tracks.videoOn };
    this.watchEnd(tracks.microphone, 'microphone');
    this.watchEnd(tracks.camera, 'camera');
    this.setLocal({
      cameraTrack: tracks.camera,
      cameraError: tracks.cameraError,
      microphoneError: tracks.microphoneError,
    });
    this.ready = Promise.all([this.applyEffect('microphone'), this.applyEffect('camera')]).then(
      () => undefined,
    );
    this.unwatchDevices = watchDevices(() => void this.checkDevices());
  }

  private get local(): MeetingClientState['local'] {
    return this.deps.store.get().local;
  }

  private sent(kind: Kind): MediaStreamTrack | null {
    return this.effects[kind]?.track ?? this.raw[kind];
  }

  /** What the media session should publish when it (re)negotiates. */
  tracks() {
    const local = this.local;
    return {
      microphone: this.sent('microphone'),
      camera: local.cameraTrack,
      audioOn: local.audio,
      videoOn: local.video,
      screen: local.screenTrack,
    };
  }

  /** Which effects run now (chosen, and started on a device that is open). */
  activeEffects(): Record<EffectName, boolean> {
    return { blur: this.effects.camera !== null, noiseSuppression: this.effects.microphone !== null };
  }

  /**
   * The microphone's own track, open while muted. Pausing a producer disables the track it sends,
   * so whoever listens to it while muted (the "you are muted" hint) listens to a clone.
   */
  microphoneTrack(): MediaStreamTrack | null {
    return this.raw.microphone;
  }

  /**
   * On (re)joining, what this person sends is what both sides allow: the meeting (muted on entry,
   * muted by the host while away) and the person (toggles, devices). Where the meeting has a
   * source on that the person has off (an admission turns the defaults on), the meeting is told.
   */
  settle(audioAllowed: boolean, videoAllowed: boolean): void {
    const audio = audioAllowed && this.wants.audio && this.raw.microphone !== null;
    const video = videoAllowed && this.wants.video && this.raw.camera !== null;
    if (!video) this.stopCamera();
    this.setLocal({ audio, video });
    if (audioAllowed && !audio) void this.deps.record('mute', 'audio');
    if (videoAllowed && !video) void this.deps.record('mute', 'video');
  }

  /** Someone else (the host) turned this person's microphone or camera off: follow it. */
  follow(audioEnabled: boolean, videoEnabled: boolean): void {
    if (!audioEnabled && this.local.audio) {
      this.setLocal({ audio: false });
      void this.deps.media.setMicrophone(false, this.sent('microphone'));
      this.deps.toast('The host muted your microphone', 'warn');
    }
    if (!videoEnabled && this.local.video) {
      void this.turnCameraOff();
      this.deps.toast('The host turned your camera off', 'warn');
    }
  }

  async toggleMicrophone(): Promise<void> {
    if (this.local.audio) {
      // Off: silent here at once, then recorded.
      this.setLocal({ audio: false });
      await this.deps.media.setMicrophone(false, this.sent('microphone'));
      await this.deps.record('mute', 'audio');
      return;
    }
    if (!this.raw.microphone) {
      const opened = await this.open('microphone');
      if (!opened) return;
      this.raw.microphone = opened;
      await this.applyEffect('microphone');
    }
    // On: the meeting must agree first (the SFU refuses to resume a source the meeting has muted).
    if (!(await this.deps.record('unmute', 'audio'))) return;
    this.setLocal({ audio: true });
    await this.deps.media.setMicrophone(true, this.sent('microphone'));
  }

  async toggleCamera(): Promise<void> {
    if (this.local.video) {
      await this.turnCameraOff();
      await this.deps.record('mute', 'video');
      return;
    }
    const track = this.raw.camera ?? (await this.open('camera'));
    if (!track) return;
    if (!(await this.deps.record('unmute', 'video'))) {
      if (track !== this.raw.camera) stopTrack(track);
      return;
    }
    this.raw.camera = track;
    await this.applyEffect('camera');
    this.setLocal({ video: true, cameraTrack: this.sent('camera') });
    await this.deps.media.setCamera(this.sent('camera'));
  }

  // ── Devices and effects ──────────────────────────────────────────────────────

  /**
   * Another camera or microphone, live: the new device opens, the producer sends it, the old one
   * closes. A camera that is off only remembers the choice (its light stays off).
   */
  async useDevice(kind: Kind, deviceId: string): Promise<void> {
    chooseDevice(kind, deviceId);
    if (kind === 'camera' && !this.local.video) return;
    await this.reopen(kind);
  }

  /** Turns blur (camera) or noise suppression (microphone) on or off; remembered for next time. */
  async setEffect(effect: EffectName, on: boolean): Promise<void> {
    chooseEffect(effect, on);
    const kind: Kind = effect === 'blur' ? 'camera' : 'microphone';
    const before = this.sent(kind);
    await this.applyEffect(kind);
    await this.publish(kind, before);
  }

  /** Opens the chosen device again (a new choice, or the chosen one went away) and sends it. */
  private async reopen(kind: Kind): Promise<boolean> {
    const track = await this.open(kind);
    if (!track || this.disposed) {
      stopTrack(track);
      return false;
    }
    const before = this.sent(kind);
    const old = this.raw[kind];
    this.effects[kind]?.stop();
    this.effects[kind] = null;
    this.raw[kind] = track;
    await this.applyEffect(kind);
    await this.publish(kind, before);
    stopTrack(old);
    return true;
  }

  /** Sends what is now `sent(kind)` in place of `before`. */
  private async publish(kind: Kind, before: MediaStreamTrack | null): Promise<void> {
    const now = this.sent(kind);
    if (!now || now === before) return;
    if (kind === 'camera') {
      if (!this.local.video) return;
      this.setLocal({ cameraTrack: now });
    }
    await this.deps.media.replaceTrack(kind, now);
  }

  /**
   * Puts the chosen effect in front of the device, or takes it away. An effect that cannot start
   * is turned off and the person is told: the device is sent as it is.
   */
  private async applyEffect(kind: Kind): Promise<void> {
    const raw = this.raw[kind];
    const name = EFFECT_OF[kind];
    const current = this.effects[kind];
    if (!mediaChoices.get()[name] || !raw) {
      current?.stop();
      this.effects[kind] = null;
      return;
    }
    if (current) return;
    const started = await startEffect(name, raw);
    if ('error' in started) {
      if (started.untilGesture) {
        // Kept as chosen: it starts with the person's first click or key press.
        this.deps.toast(started.error, 'info');
        this.afterGesture(() => this.retryEffect(kind));
        return;
      }
      chooseEffect(name, false);
      this.deps.toast(`${started.error} It is off.`, 'warn');
      return;
    }
    // The device changed or the effect was turned off while it started: this one is not needed.
    if (this.disposed || this.raw[kind] !== raw || !mediaChoices.get()[name]) {
      started.effect.stop();
      return;
    }
    this.effects[kind] = started.effect;
  }

  private async retryEffect(kind: Kind): Promise<void> {
    if (this.disposed) return;
    const before = this.sent(kind);
    await this.applyEffect(kind);
    await this.publish(kind, before);
  }

  private afterGesture(run: () => Promise<void>): void {
    const once = () => {
      window.removeEventListener('pointerdown', once, true);
      window.removeEventListener('keydown', once, true);
      void run();
    };
    window.addEventListener('pointerdown', once, true);
    window.addEventListener('keydown', once, true);
  }

  /** The chosen device, the default when it is gone (and the person is told); null on failure. */
  private async open(kind: Kind): Promise<MediaStreamTrack | null> {
    const chosen = chosenDevice(kind);
    try {
      const { track, fellBack } = await acquirePreferred(kind, chosen);
      if (fellBack) {
        this.deps.toast(`The chosen ${kind} is not connected. Using the default ${kind}.`, 'warn');
        chooseDevice(kind, deviceIdOf(track));
      } else if (!chosen) chooseDevice(kind, deviceIdOf(track));
      this.watchEnd(track, kind);
      this.setLocal(kind === 'camera' ? { cameraError: null } : { microphoneError: null });
      return track;
    } catch (error) {
      this.deviceFailed(error, kind === 'camera' ? 'cameraError' : 'microphoneError');
      return null;
    }
  }

  /**
   * A device was plugged in or out. The chosen camera or microphone gone: back to the default,
   * and the person is told (its track's `ended` may come later, or never for some drivers). The
   * chosen speaker gone: the audio elements go back to the default output.
   */
  private async checkDevices(): Promise<void> {
    const list = await listDevices();
    if (this.disposed) return;
    const choices = mediaChoices.get();
    const present = (id: string | null, options: { deviceId: string }[]) =>
      id === null || options.some((d) => d.deviceId === id);
    if (this.raw.camera && !present(choices.cameraId, list.cameras)) this.lost('camera');
    if (this.raw.microphone && !present(choices.microphoneId, list.microphones)) this.lost('microphone');
    if (list.speakers.length > 0 && !present(choices.speakerId, list.speakers)) {
      choose({ speakerId: null });
      this.deps.toast('Your speaker was disconnected. Sound plays on the default speaker.', 'warn');
    }
  }

  /** The device in use went away: the default device takes its place; without one, the source is off. */
  private lost(kind: Kind): void {
    chooseDevice(kind, null);
    this.deps.toast(`Your ${kind} was disconnected. Switching to the default ${kind}.`, 'warn');
    if (kind === 'camera' && !this.local.video) {
      this.stopCamera();
      return;
    }
    void this.reopen(kind).then((ok) => {
      if (!ok && !this.disposed) void this.turnOff(kind);
    });
  }

  private async turnOff(kind: Kind): Promise<void> {
    if (kind === 'camera') {
      await this.turnCameraOff();
      await this.deps.record('mute', 'video');
      return;
    }
    this.effects.microphone?.stop();
    this.effects.microphone = null;
    stopTrack(this.raw.microphone);
    this.raw.microphone = null;
    if (!this.local.audio) return;
    this.setLocal({ audio: false });
    await this.deps.media.setMicrophone(false, null);
    await this.deps.record('mute', 'audio');
  }

  // ── Camera off, screen, disposal ─────────────────────────────────────────────

  private async turnCameraOff(): Promise<void> {
    // Stopping the track turns the camera light off; a new track is opened when it comes back.
    this.stopCamera();
    this.setLocal({ video: false });
    await this.deps.media.setCamera(null);
  }

  private stopCamera(): void {
    this.effects.camera?.stop();
    this.effects.camera = null;
    stopTrack(this.raw.camera);
    this.raw.camera = null;
    this.setLocal({ cameraTrack: null });
  }

  /** Presenting is a producer of its own; the SFU records screenSharing when it is produced and closed. */
  async toggleScreen(): Promise<void> {
    if (this.local.screen) return this.stopScreen();
    if (this.deps.store.get().media.status !== 'ready') {
      this.deps.toast('Screen sharing needs the audio and video connection.', 'warn');
      return;
    }
    let track: MediaStreamTrack;
    try {
      track = await acquireScreen();
    } catch (error) {
      if (!(error instanceof DeviceError && error.reason === 'cancelled'))
        this.deps.toast(error instanceof Error ? error.message : 'Screen sharing could not start.', 'error');
      return;
    }
    this.setLocal({ screen: true, screenTrack: track });
    try {
      await this.deps.media.startScreen(track);
    } catch (error) {
      console.warn('screen share failed', error);
      this.setLocal({ screen: false, screenTrack: null });
      stopTrack(track);
      this.deps.toast('Screen sharing could not start.', 'error');
    }
  }

  async stopScreen(): Promise<void> {
    const track = this.local.screenTrack;
    if (!this.local.screen) return;
    this.setLocal({ screen: false, screenTrack: null });
    stopTrack(track);
    await this.deps.media.stopScreen();
  }

  /** Stops every device this person opened (camera light off). */
  dispose(): void {
    this.disposed = true;
    this.unwatchDevices();
    for (const kind of ['microphone', 'camera'] as const) {
      this.effects[kind]?.stop();
      this.effects[kind] = null;
      stopTrack(this.raw[kind]);
    }
    stopTrack(this.local.screenTrack);
    this.setLocal({ cameraTrack: null, screenTrack: null });
  }

  /**
   * A device that goes away (unplugged, taken by another app): the default device takes its
   * place; if none opens, the source turns off, and either way the person is told.
   */
  private watchEnd(track: MediaStreamTrack | null, kind: Kind): void {
    track?.addEventListener(
      'ended',
      () => {
        if (this.disposed || track !== this.raw[kind]) return;
        if (kind === 'camera' && !this.local.video) return;
        this.lost(kind);
      },
      { once: true },
    );
  }

  private deviceFailed(error: unknown, field: 'cameraError' | 'microphoneError'): void {
    const text = error instanceof Error ? error.message : 'The device could not start.';
    this.setLocal({ [field]: text });
    this.deps.toast(text, 'error');
  }

  private setLocal(patch: Partial<MeetingClientState['local']>): void {
    if (patch.audio !== undefined) this.wants.audio = patch.audio;
    if (patch.video !== undefined) this.wants.video = patch.video;
    this.deps.store.update((s) => ({ ...s, local: { ...s.local, ...patch } }));
  }
}
