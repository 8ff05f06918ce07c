import { startBackgroundBlur } from './background-blur';
import { startNoiseSuppression } from './noise-suppression';
import { EffectError, type TrackEffect } from './track-effect';

export type EffectName = 'blur' | 'noiseSuppression';

const START: Record<EffectName, (track: MediaStreamTrack) => Promise<TrackEffect>> = {
  blur: startBackgroundBlur,
  noiseSuppression: startNoiseSuppression,
};

/** Starts an effect; a failure is a sentence for the person (and its cause in the console). */
export async function startEffect(
  effect: EffectName,
  track: MediaStreamTrack,
): Promise<{ effect: TrackEffect } | { error: string }> {
  try {
    return { effect: await START[effect](track) };
  } catch (error) {
    console.warn(`${effect} could not start`, error instanceof EffectError ? (error.cause ?? error) : error);
    return { error: error instanceof EffectError ? error.message : `${NAMES[effect]} could not start.` };
  }
}

export const NAMES: Record<EffectName, string> = {
  blur: 'Background blur',
  noiseSuppression: 'Noise suppression',
};
