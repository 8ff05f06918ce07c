import { startBackgroundBlur } from './background-blur';
import { startNoiseSuppression } from './noise-suppression';
import { EffectError, type TrackEffect } from './track-effect';

export type EffectName = 'blur' | 'noiseSuppression';

const START: Record<EffectName, (track: MediaStreamTrack) => Promise<TrackEffect>> = {
  blur: startBackgroundBlur,
  noiseSuppression: startNoiseSuppression,
};

export const NAMES: Record<EffectName, string> = {
  blur: 'Background blur',
  noiseSuppression: 'Noise suppression',
};

/**
 * Past this, an effect that has not started is given up (the meeting's media waits for the chosen
 * effects: it must never wait forever). Loading the segmenter's 5.6 MB wasm on a slow machine
 * takes seconds, not tens of them.
 */
const START_TIMEOUT_MS = 30_000;

/** Starts an effect; a failure is a sentence for the person (and its cause in the console). */
export async function startEffect(
  effect: EffectName,
  track: MediaStreamTrack,
): Promise<{ effect: TrackEffect } | { error: string; untilGesture: boolean }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let gaveUp = false;
  const starting = START[effect](track);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true;
      reject(new EffectError(effect, `${NAMES[effect]} took too long to start.`));
    }, START_TIMEOUT_MS);
  });
  // One that starts after all is stopped at once: nobody holds it.
  void starting.then(
    (late) => gaveUp && late.stop(),
    () => undefined,
  );
  try {
    return { effect: await Promise.race([starting, timeout]) };
  } catch (error) {
    console.warn(`${effect} could not start`, error instanceof EffectError ? (error.cause ?? error) : error);
    return error instanceof EffectError
      ? { error: error.message, untilGesture: error.untilGesture }
      : { error: `${NAMES[effect]} could not start.`, untilGesture: false };
  } finally {
    clearTimeout(timer);
  }
}
