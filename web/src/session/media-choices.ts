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
