import { useEffect, useState } from 'preact/hooks';

/** Each reading covers the time since the last one (4096 samples ≈ 85 ms at 48 kHz): nothing is missed. */
const WINDOW = 4096;
const EVERY_MS = 80;
/** A peak above −24 dBFS: a voice near the microphone, not a room's hum. */
const LOUD = 0.063;
/** Loud readings within `RECENT_MS` that make talking (one knock or cough is not). */
const LOUD_READINGS = 3;
const RECENT_MS = 2000;

/**
 * Whether the person is talking into their microphone, while `listening`: the level of a clone
 * of the microphone's track (the producer's own is disabled while muted), read on a timer. The
 * answer stays true for a moment after the voice stops, so a hint does not flicker between words.
 */
export function useTalking(listening: boolean, microphone: () => MediaStreamTrack | null): boolean {
  const [talking, setTalking] = useState(false);
  useEffect(() => {
    if (!listening) {
      setTalking(false);
      return;
    }
    let heard: MediaStreamTrack | null = null;
    let clone: MediaStreamTrack | null = null;
    let context: AudioContext | null = null;
    let analyser: AnalyserNode | null = null;
    const samples = new Float32Array(WINDOW);
    let loud: number[] = [];
    const release = () => {
      clone?.stop();
      void context?.close().catch(() => undefined);
      clone = null;
      context = null;
      analyser = null;
    };
    const timer = setInterval(() => {
      const track = microphone();
      if (track !== heard) {
        // Another microphone was chosen (or one was opened): listen to that one.
        release();
        heard = track;
        if (track && track.readyState === 'live') {
          clone = track.clone();
          clone.enabled = true;
          context = new AudioContext();
          analyser = context.createAnalyser();
          analyser.fftSize = WINDOW;
          context.createMediaStreamSource(new MediaStream([clone])).connect(analyser);
        }
      }
      if (!analyser) return;
      // Made before any click on the page (a reload), the context waits for one.
      if (context?.state === 'suspended') void context.resume().catch(() => undefined);
      analyser.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      const now = performance.now();
      if (peak > LOUD) loud.push(now);
      loud = loud.filter((t) => now - t < RECENT_MS);
      setTalking(loud.length >= LOUD_READINGS);
    }, EVERY_MS);
    return () => {
      clearInterval(timer);
      release();
    };
  }, [listening]);
  return talking;
}
