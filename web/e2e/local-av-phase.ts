import type { BrowserContext, Page } from 'playwright-core';

/**
 * Where the flashes and beeps of Chromium's fake camera and microphone lie on one clock, read in
 * the sender's own page. The two fake devices play their files from the moment each is opened,
 * and the web client opens the camera (pre-join preview) and the microphone (at join) apart: the
 * beeps follow the flashes by a phase the files alone cannot tell. A recording is right when it
 * keeps that phase, so the test measures it here and compares.
 *
 * How: clones of the page's own camera and microphone tracks are read frame by frame
 * (MediaStreamTrackProcessor). Each track's timestamps (µs on its device's clock) are put on the
 * page's clock by the chunk that reached the page soonest after capture (an audio chunk can only
 * arrive after its last sample), the same lower-envelope idea the recorder uses. What remains is
 * the difference of the two smallest delivery delays, a few ms.
 */

/** Remembers every track getUserMedia gives the page (install before the page loads). */
export async function rememberLocalTracks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) return;
    const original = devices.getUserMedia.bind(devices);
    const kept: MediaStreamTrack[] = [];
    (window as unknown as { __localTracks: MediaStreamTrack[] }).__localTracks = kept;
    devices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      kept.push(...stream.getTracks());
      return stream;
    };
  });
}

export interface LocalAvPhase {
  /** Flash onsets, ms on the page's clock. */
  flashesMs: number[];
  /** Beep onsets, ms on the page's clock. */
  beepsMs: number[];
}

/** Reads the live camera and microphone for `seconds` and returns their onsets on one clock. */
export async function measureLocalAvPhase(page: Page, seconds: number): Promise<LocalAvPhase> {
  return page.evaluate(async (seconds) => {
    type Processor = new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<unknown> };
    const Mstp = (window as unknown as { MediaStreamTrackProcessor?: Processor }).MediaStreamTrackProcessor;
    if (!Mstp) throw new Error('MediaStreamTrackProcessor is missing in this Chromium');
    const tracks = (window as unknown as { __localTracks?: MediaStreamTrack[] }).__localTracks ?? [];
    const live = (kind: string) => tracks.filter((t) => t.kind === kind && t.readyState === 'live').at(-1);
    const camera = live('video');
    const microphone = live('audio');
    if (!camera || !microphone) throw new Error('the page has no live camera and microphone');
    const until = performance.now() + seconds * 1000;

    async function readVideo() {
      const clone = camera!.clone();
      const reader = new Mstp({ track: clone }).readable.getReader();
      const canvas = new OffscreenCanvas(32, 24);
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const frames: Array<{ ms: number; luma: number }> = [];
      let clockOffset = Infinity;
      while (performance.now() < until) {
        const { value, done } = await reader.read();
        if (done) break;
        const frame = value as VideoFrame;
        const tsMs = frame.timestamp / 1000;
        clockOffset = Math.min(clockOffset, performance.now() - tsMs);
        ctx.drawImage(frame, 0, 0, 32, 24);
        frame.close();
        const pixels = ctx.getImageData(0, 0, 32, 24).data;
        let sum = 0;
        for (let i = 0; i < pixels.length; i += 4) sum += pixels[i]!;
        frames.push({ ms: tsMs, luma: sum / (pixels.length / 4) });
      }
      await reader.cancel();
      clone.stop();
      const lumas = frames.map((f) => f.luma);
      const threshold = (Math.min(...lumas) + Math.max(...lumas)) / 2;
      return frames
        .filter((f, i) => f.luma > threshold && (i === 0 || frames[i - 1]!.luma <= threshold))
        .map((f) => f.ms + clockOffset);
    }

    async function readAudio() {
      const clone = microphone!.clone();
      const reader = new Mstp({ track: clone }).readable.getReader();
      const levels: Array<{ ms: number; peak: number }> = [];
      let clockOffset = Infinity;
      while (performance.now() < until) {
        const { value, done } = await reader.read();
        if (done) break;
        const data = value as AudioData;
        const startMs = data.timestamp / 1000;
        clockOffset = Math.min(clockOffset, performance.now() - (startMs + data.duration / 1000));
        const samples = new Float32Array(data.numberOfFrames);
        data.copyTo(samples, { planeIndex: 0, format: 'f32-planar' });
        const perMs = data.sampleRate / 1000;
        for (let i = 0; i + perMs <= samples.length; i += perMs) {
          let peak = 0;
          for (let j = i; j < i + perMs; j++) peak = Math.max(peak, Math.abs(samples[j]!));
          levels.push({ ms: startMs + i / perMs, peak });
        }
        data.close();
      }
      await reader.cancel();
      clone.stop();
      const threshold = Math.max(...levels.map((l) => l.peak)) / 4;
      const onsets: number[] = [];
      let quietMs = 1000;
      for (const l of levels) {
        if (l.peak > threshold && quietMs >= 200) onsets.push(l.ms + clockOffset);
        quietMs = l.peak > threshold ? 0 : quietMs + 1;
      }
      return onsets;
    }

    const [flashesMs, beepsMs] = await Promise.all([readVideo(), readAudio()]);
    return { flashesMs, beepsMs };
  }, seconds);
}

/** The beeps' lag behind the flashes (ms, within ±half a period), one per flash that has a beep. */
export function phasesMs(phase: LocalAvPhase, periodMs: number): number[] {
  return phase.flashesMs.flatMap((f) => {
    const lags = phase.beepsMs.map((b) => b - f).filter((d) => Math.abs(d) <= periodMs / 2);
    if (lags.length === 0) return [];
    return [Math.round(lags.reduce((best, d) => (Math.abs(d) < Math.abs(best) ? d : best)))];
  });
}
