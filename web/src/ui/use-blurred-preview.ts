import { useEffect, useState } from 'preact/hooks';
import { startEffect } from '../session/effects/start-effect';
import type { TrackEffect } from '../session/effects/track-effect';
import { choose } from '../session/media-choices';

/**
 * The pre-join preview as the others will see it: blurred when blur is chosen (the raw camera
 * until the segmenter is ready, on this screen only). Blur that cannot start is turned off and
 * `error` says why.
 */
export function useBlurredPreview(
  camera: MediaStreamTrack | null,
  blur: boolean,
): { track: MediaStreamTrack | null; error: string | null } {
  const [blurred, setBlurred] = useState<MediaStreamTrack | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!camera || !blur) return;
    let effect: TrackEffect | null = null;
    let live = true;
    setError(null);
    void startEffect('blur', camera).then((started) => {
      if ('error' in started) {
        if (live) setError(`${started.error} It is off.`);
        choose({ blur: false });
      } else if (!live) started.effect.stop();
      else {
        effect = started.effect;
        setBlurred(started.effect.track);
      }
    });
    return () => {
      live = false;
      effect?.stop();
      setBlurred(null);
    };
  }, [camera, blur]);
  return { track: blur && blurred ? blurred : camera, error };
}
