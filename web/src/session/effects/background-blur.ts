import type { SelfieSegmentation } from '@mediapipe/selfie_segmentation';
import { EffectError, type TrackEffect } from './track-effect';

/**
 * Where MediaPipe's selfie segmentation is served from: this app (web/vite.config.ts copies the
 * package's script, wasm and models into web/dist/effects/selfie/). Nothing comes from a CDN.
 */
const BASE = '/effects/selfie/';
/** Frames sent per second. */
const FPS = 24;
/** The background's blur, in pixels of the camera's picture. */
const BLUR_PX = 16;

type SelfieSegmentationClass = new (config: { locateFile(file: string): string }) => SelfieSegmentation;

declare global {
  interface Window {
    SelfieSegmentation?: SelfieSegmentationClass;
  }
}

let loading: Promise<SelfieSegmentationClass> | null = null;

/**
 * The package is a Closure-compiled script that defines a global, not an ES module (bundlers
 * break it): it is loaded as a script of this origin, once, when blur is first turned on.
 */
function loadSelfieSegmentation(): Promise<SelfieSegmentationClass> {
  loading ??= new Promise<SelfieSegmentationClass>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `${BASE}selfie_segmentation.js`;
    script.async = true;
    script.onload = () =>
      window.SelfieSegmentation
        ? resolve(window.SelfieSegmentation)
        : reject(new Error('selfie_segmentation.js defined no SelfieSegmentation'));
    script.onerror = () => reject(new Error(`${script.src} could not be loaded`));
    document.head.append(script);
  }).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/**
 * The camera with its background blurred. Two loops: the segmenter takes the newest frame as
 * often as it can (at most `SEGMENT_FPS`; on a slow machine much less) and leaves its mask in a
 * small canvas; the compositor draws every frame (`FPS`) from the camera with the latest mask:
 * the person sharp over a blurred copy. So a slow segmenter makes the outline lag, never the
 * video stutter. The canvas's captured stream is what the producer sends. Until the first mask,
 * the whole frame is blurred: the background is never sent sharp. Timers, not animation frames,
 * so that a meeting in a background tab still sends video.
 */
export async function startBackgroundBlur(camera: MediaStreamTrack): Promise<TrackEffect> {
  let segmenter: SelfieSegmentation | null = null;
  const video = document.createElement('video');
  try {
    const Segmentation = await loadSelfieSegmentation();
    segmenter = new Segmentation({ locateFile: (file) => `${BASE}${file}` });
    // The "landscape" model (144x256) is the lighter of the two and made for video calls.
    segmenter.setOptions({ modelSelection: 1, selfieMode: false });
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([camera]);
    await video.play();
    await segmenter.initialize();
  } catch (error) {
    video.srcObject = null;
    void segmenter?.close().catch(() => undefined);
    throw new EffectError('blur', 'Background blur could not start in this browser.', error);
  }

  const output = canvas2d(video.videoWidth || 640, video.videoHeight || 480);
  const mask = canvas2d(MASK_WIDTH, MASK_HEIGHT);
  const small = canvas2d(Math.ceil(output.canvas.width / 4), Math.ceil(output.canvas.height / 4));
  let masked = false;
  segmenter.onResults((results) => {
    mask.clearRect(0, 0, MASK_WIDTH, MASK_HEIGHT);
    mask.drawImage(results.segmentationMask, 0, 0, MASK_WIDTH, MASK_HEIGHT);
    masked = true;
  });
  const track = output.canvas.captureStream(FPS).getVideoTracks()[0]!;

  let stopped = false;
  const running = segmenter;
  const segmentLoop = async () => {
    while (!stopped) {
      const started = performance.now();
      if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA)
        await running.send({ image: video }).catch((error: unknown) => {
          console.warn('background blur: a frame could not be segmented', error);
          masked = false;
        });
      await sleep(Math.max(5, 1000 / SEGMENT_FPS - (performance.now() - started)));
    }
  };
  const compose = setInterval(() => {
    if (stopped || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) return;
    const { canvas } = output;
    if (video.videoWidth > 0 && canvas.width !== video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      small.canvas.width = Math.ceil(canvas.width / 4);
      small.canvas.height = Math.ceil(canvas.height / 4);
    }
    composite(output, small, masked ? mask.canvas : null, video);
  }, 1000 / FPS);
  void segmentLoop();

  return {
    track,
    stop() {
      stopped = true;
      clearInterval(compose);
      track.stop();
      video.srcObject = null;
      void running.close().catch(() => undefined);
    },
  };
}

const MASK_WIDTH = 256;
const MASK_HEIGHT = 144;
const SEGMENT_FPS = 15;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function canvas2d(width: number, height: number): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new EffectError('blur', 'Background blur could not start in this browser.');
  return context;
}

/**
 * The person (where the mask is opaque) over the blurred frame; with no mask, all of it blurred.
 * The blur is made at a quarter of the size and scaled up: the same look for a sixteenth of the work.
 */
function composite(
  output: CanvasRenderingContext2D,
  small: CanvasRenderingContext2D,
  mask: HTMLCanvasElement | null,
  frame: HTMLVideoElement,
): void {
  const { width, height } = output.canvas;
  const s = small.canvas;
  small.filter = `blur(${BLUR_PX / 4}px)`;
  // Drawn past the edges, so that the blur does not fade the picture's border into black.
  small.drawImage(frame, -BLUR_PX / 2, -BLUR_PX / 2, s.width + BLUR_PX, s.height + BLUR_PX);
  small.filter = 'none';
  output.save();
  output.clearRect(0, 0, width, height);
  if (mask) {
    output.drawImage(mask, 0, 0, width, height);
    output.globalCompositeOperation = 'source-in';
    output.drawImage(frame, 0, 0, width, height);
    output.globalCompositeOperation = 'destination-over';
  }
  output.drawImage(s, 0, 0, width, height);
  output.restore();
}
