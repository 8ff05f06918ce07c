import type { MediaType } from '../../../protocol/signaling';
import { acquireCamera, acquireMicrophone, acquireScreen, DeviceError, stopTrack } from './local-media';
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

/**
 * What this person sends: microphone, camera and screen. The meeting-level `mute`/`unmute` is the
 * record (the SFU pauses and resumes the producer on those events); locally the producer is paused
 * at once, and a camera that is off is stopped so that its light goes out.
 */
export class Publishing {
  private microphone: MediaStreamTrack | null;
  /** What the person last chose to send (the meeting may still hold it off). */
  private wants: { audio: boolean; video: boolean };
  private disposed = false;

  constructor(
    private readonly deps: PublishingDeps,
    tracks: LocalTracks,
  ) {
    this.microphone = tracks.microphone;
    this.wants = { audio: tracks.audioOn, video: tracks.videoOn };
    this.watchEnd(tracks.microphone, 'microphone');
    this.watchEnd(tracks.camera, 'camera');
    this.setLocal({
      cameraTrack: tracks.camera,
      cameraError: tracks.cameraError,
      microphoneError: tracks.microphoneError,
    });
  }

  private get local(): MeetingClientState['local'] {
    return this.deps.store.get().local;
  }

  /** What the media session should publish when it (re)negotiates. */
  tracks() {
    const local = this.local;
    return {
      microphone: this.microphone,
      camera: local.cameraTrack,
      audioOn: local.audio,
      videoOn: local.video,
      screen: local.screenTrack,
    };
  }

  /**
   * On (re)joining, what this person sends is what both sides allow: the meeting (muted on entry,
   * muted by the host while away) and the person (toggles, devices). Where the meeting has a
   * source on that the person has off (an admission turns the defaults on), the meeting is told.
   */
  settle(audioAllowed: boolean, videoAllowed: boolean): void {
    const audio = audioAllowed && this.wants.audio && this.microphone !== null;
    const video = videoAllowed && this.wants.video && this.local.cameraTrack !== null;
    if (!video && this.local.cameraTrack) stopTrack(this.local.cameraTrack);
    this.setLocal({ audio, video, ...(video ? {} : { cameraTrack: null }) });
    if (audioAllowed && !audio) void this.deps.record('mute', 'audio');
    if (videoAllowed && !video) void this.deps.record('mute', 'video');
  }

  /** Someone else (the host) turned this person's microphone or camera off: follow it. */
  follow(audioEnabled: boolean, videoEnabled: boolean): void {
    if (!audioEnabled && this.local.audio) {
      this.setLocal({ audio: false });
      void this.deps.media.setMicrophone(false, this.microphone);
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
      await this.deps.media.setMicrophone(false, this.microphone);
      await this.deps.record('mute', 'audio');
      return;
    }
    if (!this.microphone) {
      try {
        this.microphone = await acquireMicrophone();
        this.watchEnd(this.microphone, 'microphone');
        this.setLocal({ microphoneError: null });
      } catch (error) {
        this.deviceFailed(error, 'microphoneError');
        return;
      }
    }
    // On: the meeting must agree first (the SFU refuses to resume a source the meeting has muted).
    if (!(await this.deps.record('unmute', 'audio'))) return;
    this.setLocal({ audio: true });
    await this.deps.media.setMicrophone(true, this.microphone);
  }

  async toggleCamera(): Promise<void> {
    if (this.local.video) {
      await this.turnCameraOff();
      await this.deps.record('mute', 'video');
      return;
    }
    let track: MediaStreamTrack;
    try {
      track = this.local.cameraTrack ?? (await acquireCamera());
    } catch (error) {
      this.deviceFailed(error, 'cameraError');
      return;
    }
    if (!(await this.deps.record('unmute', 'video'))) {
      stopTrack(track);
      return;
    }
    if (track !== this.local.cameraTrack) this.watchEnd(track, 'camera');
    this.setLocal({ video: true, cameraTrack: track, cameraError: null });
    await this.deps.media.setCamera(track);
  }

  private async turnCameraOff(): Promise<void> {
    // Stopping the track turns the camera light off; a new track is opened when it comes back.
    stopTrack(this.local.cameraTrack);
    this.setLocal({ video: false, cameraTrack: null });
    await this.deps.media.setCamera(null);
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
    stopTrack(this.microphone);
    stopTrack(this.local.cameraTrack);
    stopTrack(this.local.screenTrack);
    this.setLocal({ cameraTrack: null, screenTrack: null });
  }

  /** A device that goes away (unplugged, taken by another app) turns its source off, and says so. */
  private watchEnd(track: MediaStreamTrack | null, device: 'microphone' | 'camera'): void {
    track?.addEventListener(
      'ended',
      () => {
        if (this.disposed) return;
        if (device === 'microphone' && track === this.microphone) {
          this.microphone = null;
          if (this.local.audio) void this.toggleMicrophone();
          this.deps.toast('Your microphone stopped working. Turn it on again to retry.', 'warn');
        }
        if (device === 'camera' && track === this.local.cameraTrack && this.local.video) {
          void this.toggleCamera();
          this.deps.toast('Your camera stopped working. Turn it on again to retry.', 'warn');
        }
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
