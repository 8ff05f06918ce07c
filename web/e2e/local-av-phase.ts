import type { BrowserContext, Page } from 'playwright-core';

/**
 * Where the flashes and beeps of Chromium's fake camera and microphone lie on one clock, read in
 * the sender's own page: the truth a recording must keep. The files alone do not tell it: each
 * fake device plays its file from the moment it is opened (the web client opens the camera for the
 * pre-join preview and the microphone at join), and on a loaded machine the file camera falls
 * behind and skips (its picture's 2 s period stretched to 2.1–2.3 s here) while the microphone
 * keeps time. So every flash and every beep is read as it is captured, for the whole recording.
 *
 * How: clones of the page's own camera and microphone tracks are read chunk by chunk
 * (MediaStreamTrackProcessor, with room for 3 s of frames so none is dropped), a 16x16 patch of
 * each frame's luma, 1 ms peaks of the sound. Each track's timestamps (µs on its device's clock)
 * are put on the page's clock by the chunk that reached the page soonest after capture (an audio
 * chunk only after its last sample): what remains is the difference of the two smallest delivery
 * delays, a few ms.
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

export interface LocalAvTimes {
  /** Flash onsets, ms on the page's clock. */
  flashesMs: number[];
  /** Beep onsets, ms on the page's clock. */
  beepsMs: number[];
  /** Camera frames read. */
  frames: number;
  /** The page clock's origin, ms since the epoch (its 0 on the wall clock). */
  timeOrigin: number;
}

/** Starts reading the live camera and microphone; `stop()` ends it and returns the onsets. */
export async function startLocalAvWatch(page: Page): Promise<{ stop(): Promise<LocalAvTimes> }> {
  await page.evaluate(() => {
    type Processor = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => {
      readable: ReadableStream<unknown>;
    };
    const found = (window as unknown as { MediaStreamTrackProcessor?: Processor }).MediaStreamTrackProcessor;
    if (!found) throw new Error('MediaStreamTrackProcessor is missing in this Chromium');
    // Bound once checked, so the readers below (closures) see a defined constructor.
    const Mstp: Processor = found;
    const tracks = (window as unknown as { __localTracks?: MediaStreamTrack[] }).__localTracks ?? [];
    const live = (kind: string) => tracks.filter((t) => t.kind === kind && t.readyState === 'live').at(-1);
    const camera = live('video');
    const microphone = live('audio');
    if (!camera || !microphone) throw new Error('the page has no live camera and microphone');
    let stopped = false;

    async function readVideo() {
      const clone = camera!.clone();
      const reader = new Mstp({ track: clone, maxBufferSize: 90 }).readable.getReader();
      const frames: Array<{ ms: number; luma: number }> = [];
      let clockOffset = Infinity;
      const patch = new Uint8Array(16 * 16 * 4);
      while (!stopped) {
        const { value, done } = await reader.read();
        if (done) break;
        const frame = value as VideoFrame;
        const tsMs = frame.timestamp / 1000;
        clockOffset = Math.min(clockOffset, performance.now() - tsMs);
        const x = Math.floor(frame.codedWidth / 2 / 16) * 16;
        const y = Math.floor(frame.codedHeight / 2 / 16) * 16;
        // The first plane of the camera's formats (I420, NV12) is luma.
        const layout = await frame.copyTo(patch, { rect: { x, y, width: 16, height: 16 } });
        const plane = layout[0]!;
        let sum = 0;
        for (let row = 0; row < 16; row++)
          for (let col = 0; col < 16; col++) sum += patch[plane.offset + row * plane.stride + col]!;
        frame.close();
        frames.push({ ms: tsMs, luma: sum / 256 });
      }
      await reader.cancel();
      clone.stop();
      const lumas = frames.map((f) => f.luma);
      // A loop, not Math.min(...xs): minutes of samples overflow the call stack as arguments.
      const threshold =
        (lumas.reduce((a, b) => Math.min(a, b), Infinity) +
          lumas.reduce((a, b) => Math.max(a, b), -Infinity)) /
        2;
      const flashesMs = frames
        .filter((f, i) => f.luma > threshold && (i === 0 || frames[i - 1]!.luma <= threshold))
        .map((f) => f.ms + clockOffset);
      return { flashesMs, frames: frames.length };
    }

    async function readAudio() {
      const clone = microphone!.clone();
      const reader = new Mstp({ track: clone, maxBufferSize: 300 }).readable.getReader();
      const levels: Array<{ ms: number; peak: number }> = [];
      let clockOffset = Infinity;
      while (!stopped) {
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
      const threshold = levels.reduce((a, l) => Math.max(a, l.peak), 0) / 4;
      const beepsMs: number[] = [];
      let quietMs = 1000;
      for (const l of levels) {
        if (l.peak > threshold && quietMs >= 200) beepsMs.push(l.ms + clockOffset);
        quietMs = l.peak > threshold ? 0 : quietMs + 1;
      }
      return beepsMs;
    }

    const done = Promise.all([readVideo(), readAudio()]).then(([video, beepsMs]) => ({
      flashesMs: video.flashesMs,
      frames: video.frames,
      beepsMs,
      timeOrigin: performance.timeOrigin,
    }));
    (window as unknown as { __avWatch: { stop(): Promise<LocalAvTimes> } }).__avWatch = {
      stop: () => ((stopped = true), done),
    };
  });
  return {
    stop: () =>
      page.evaluate(() =>
        (window as unknown as { __avWatch: { stop(): Promise<LocalAvTimes> } }).__avWatch.stop(),
      ),
  };
}

/**
 * The sender's flash times with its camera's delivery jitter removed: the fake file camera hands
 * frames over up to ~40 ms early or late on a busy machine, and WebRTC sends not those instants
 * but a filtered clock (its TimestampAligner), so the RTP timestamps a recording follows are
 * smooth. A line through the flashes (they are a fixed number of frames apart) gives each its
 * smooth time, unless the camera skipped (a residual over 60 ms): then the raw times are kept.
 */
export function steadyFlashes(flashesMs: readonly number[]): number[] {
  const n = flashesMs.length;
  if (n < 4) return [...flashesMs];
  const mx = (n - 1) / 2;
  const my = flashesMs.reduce((a, b) => a + b, 0) / n;
  const slope =
    flashesMs.reduce((a, y, i) => a + (i - mx) * (y - my), 0) /
    flashesMs.reduce((a, _, i) => a + (i - mx) ** 2, 0);
  const fitted = flashesMs.map((_, i) => my + slope * (i - mx));
  const skipped = flashesMs.some((y, i) => Math.abs(y - fitted[i]!) > 60);
  return skipped ? [...flashesMs] : fitted;
}

/**
 * Audio minus video (ms) in a recording, flash by flash, against what the sender captured. The
 * sender's page clock is put on the recording's clock (0 = `recordingStartedAtMs` on the wall
 * clock, as the composer places tracks) by the wall clock first, which only picks the period (the
 * beeps repeat every 2 s), then exactly by the beeps (the microphone keeps time). Each recorded
 * flash is then compared with where the sender's flash lands. Positive: audio later than video.
 */
export function offsetsAgainstSender(
  sender: LocalAvTimes,
  recorded: { flashes: readonly number[]; beeps: readonly number[] },
  recordingStartedAtMs: number,
): { shiftMs: number; coarseMs: number; offsetsMs: number[] } {
  const nearest = (xs: readonly number[], x: number) =>
    xs.reduce((best, v) => (Math.abs(v - x) < Math.abs(best - x) ? v : best), Infinity);
  const coarse = sender.timeOrigin - recordingStartedAtMs;
  const recBeeps = recorded.beeps.map((b) => b * 1000);
  const candidates = sender.beepsMs
    .flatMap((s) => recBeeps.map((r) => r - s))
    .filter((shift) => Math.abs(shift - coarse) < 1000);
  const fits = candidates.map((g) => {
    const diffs = sender.beepsMs
      .map((s) => nearest(recBeeps, s + g) - (s + g))
      .filter((d) => Math.abs(d) < 100);
    const mean = diffs.reduce((a, d) => a + d, 0) / Math.max(1, diffs.length);
    return { shift: g + mean, pairs: diffs.length };
  });
  // The beeps repeat every 2 s, so a shift a period off pairs as many of them (or one fewer) as
  // the right one. The recording places media at its capture instant (the sender's clock), so the
  // right shift is the wall-clock one to within tens of ms: of the shifts that pair the most
  // beeps, or one fewer, the nearest to it (CI once took the one a period early).
  const most = fits.reduce((m, f) => Math.max(m, f.pairs), 0);
  const best = fits
    .filter((f) => f.pairs >= most - 1)
    .sort((a, b) => Math.abs(a.shift - coarse) - Math.abs(b.shift - coarse))[0] ?? { shift: coarse };
  const recFlashes = recorded.flashes.map((f) => f * 1000);
  const offsetsMs = steadyFlashes(sender.flashesMs)
    .map((s) => s + best.shift)
    .filter((expected) => Math.abs(nearest(recFlashes, expected) - expected) < 500)
    .map((expected) => Math.round(expected - nearest(recFlashes, expected)));
  return { shiftMs: best.shift, coarseMs: coarse, offsetsMs };
}
