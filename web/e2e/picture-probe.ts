import type { Locator, Page } from 'playwright-core';

/** What a person would see in a video element, and hear from the page: read from the pixels and samples. */

export interface Picture {
  /** Mean red, green and blue, 0–255. */
  r: number;
  g: number;
  b: number;
  /** Mean absolute difference between neighbouring pixels' brightness: edges and detail; a blur lowers it. */
  detail: number;
  width: number;
}

/** The video element's current frame, drawn at 160x120 and summed. */
export async function picture(video: Locator): Promise<Picture> {
  return video.evaluate((element) => {
    const v = element as HTMLVideoElement;
    const width = 160;
    const height = 120;
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    context.drawImage(v, 0, 0, width, height);
    const data = context.getImageData(0, 0, width, height).data;
    let r = 0;
    let g = 0;
    let b = 0;
    let detail = 0;
    const luma = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        r += data[i]!;
        g += data[i + 1]!;
        b += data[i + 2]!;
        if (x > 0) detail += Math.abs(luma(i) - luma(i - 4));
      }
    const n = width * height;
    return { r: r / n, g: g / n, b: b / n, detail: detail / (height * (width - 1)), width: v.videoWidth };
  });
}

export const isMagenta = (p: Picture) => p.r > 190 && p.b > 190 && p.g < 90;

/**
 * The loudest sample the page plays from its remote audio elements over `ms`: a Web Audio
 * analyser on each element's stream (the received tracks, after the jitter buffer and decoder).
 */
export async function remoteAudioPeak(page: Page, ms: number): Promise<number> {
  return page.evaluate(async (duration) => {
    const context = new AudioContext();
    await context.resume();
    const analysers = [...document.querySelectorAll('audio')]
      .map((a) => a.srcObject)
      .filter((s): s is MediaStream => s instanceof MediaStream && s.getAudioTracks().length > 0)
      .map((stream) => {
        const analyser = context.createAnalyser();
        analyser.fftSize = 2048;
        context.createMediaStreamSource(stream).connect(analyser);
        return analyser;
      });
    const samples = new Float32Array(2048);
    let peak = 0;
    const end = performance.now() + duration;
    while (performance.now() < end) {
      for (const analyser of analysers) {
        analyser.getFloatTimeDomainData(samples);
        for (const s of samples) peak = Math.max(peak, Math.abs(s));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await context.close();
    return peak;
  }, ms);
}
