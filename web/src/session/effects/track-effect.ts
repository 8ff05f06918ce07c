/**
 * A camera or microphone track seen through an effect (background blur, noise suppression):
 * `track` is what the producer sends instead of the device's own track, which stays open and
 * belongs to whoever opened it. `stop()` ends the effect and its output, never the source.
 */
export interface TrackEffect {
  readonly track: MediaStreamTrack;
  stop(): void;
}

/** Why an effect could not start, in a sentence for the person (the cause goes to the console). */
export class EffectError extends Error {
  constructor(
    readonly effect: 'blur' | 'noiseSuppression',
    message: string,
    override readonly cause?: unknown,
    /** Not a failure of this browser: it waits for the person's first click or key (autoplay rules). */
    readonly untilGesture = false,
  ) {
    super(message);
    this.name = 'EffectError';
  }
}
