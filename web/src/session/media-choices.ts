import { preferences, type MediaPreferences } from './preferences';
import { Store } from './store';

/**
 * The devices and effects this person chose: one store read by the pre-join page, the meeting
 * and every audio element (the speaker), saved to the browser on every change so that the next
 * visit starts with them.
 */
export const mediaChoices = new Store<MediaPreferences>(preferences.media());
mediaChoices.subscribe(() => preferences.saveMedia(mediaChoices.get()));

export function choose(patch: Partial<MediaPreferences>): void {
  mediaChoices.update((current) =>
    Object.entries(patch).every(([k, v]) => current[k as keyof MediaPreferences] === v)
      ? current
      : { ...current, ...patch },
  );
}

/** The chosen camera or microphone (null: the system's default). */
export function chooseDevice(kind: 'camera' | 'microphone', deviceId: string | null): void {
  choose(kind === 'camera' ? { cameraId: deviceId } : { microphoneId: deviceId });
}

export function chooseEffect(effect: 'blur' | 'noiseSuppression', on: boolean): void {
  choose(effect === 'blur' ? { blur: on } : { noiseSuppression: on });
}

/** The chosen camera or microphone. */
export const chosenDevice = (kind: 'camera' | 'microphone'): string | null =>
  kind === 'camera' ? mediaChoices.get().cameraId : mediaChoices.get().microphoneId;
