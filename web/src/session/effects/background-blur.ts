import type { Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation';
import { EffectError, type TrackEffect } from './track-effect';

/**
 * Where MediaPipe's selfie segmentation is served from: this app (web/vite.config.ts copies the
 * package's script, wasm and models into web/dist/effects/selfie/). Nothing comes from a CDN.
 */
const BASE = '/effects/selfie/';
/** Frames segmented per second: a person's outline moves little between them, the CPU is shared. */
const FPS = 15;
const BLUR_PX = 14;

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
 * The camera with its background blurred: each frame goes to the segmenter, whose mask keeps the
 * person sharp over a blurred copy of the frame, drawn into a canvas whose captured stream is what
 * the producer sends. Frames are pulled by a timer, not animation frames, so that a meeting in a
 * background tab still sends video.
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

  const canvas = document.createElement('canvas');
  const settings = camera.getSettings();
  canvas.width = settings.width ?? (video.videoWidth || 640);
  canvas.height = settings.height ?? (video.videoHeight || 480);
  const context = canvas.getContext('2d');
  if (!context) throw new EffectError('blur', 'Background blur could not start in this browser.');
  segmenter.onResults((results) => composite(context, results));
  const track = canvas.captureStream(FPS).getVideoTracks()[0]!;

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const running = segmenter;
  const next = async () => {
    if (stopped) return;
    const started = performance.now();
    if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
      if (canvas.width !== video.videoWidth && video.videoWidth > 0) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
      }
      await running.send({ image: video }).catch((error: unknown) => {
        // Never the sharp background instead: a frame that cannot be segmented is blurred whole.
        console.warn('background blur: a frame failed', error);
        blurWhole(context, video);
      });
    }
    if (!stopped) timer = setTimeout(next, Math.max(0, 1000 / FPS - (performance.now() - started)));
  };
  void next();

  return {
    track,
    stop() {
      stopped = true;
      clearTimeout(timer);
      track.stop();
      video.srcObject = null;
      void running.close().catch(() => undefined);
    },
  };
}

/** The person (where the mask is opaque) over the blurred frame. */
function composite(context: CanvasRenderingContext2D, results: Results): void {
  const { width, height } = context.canvas;
  context.save();
  context.clearRect(0, 0, width, height);
  context.drawImage(results.segmentationMask, 0, 0, width, height);
  context.globalCompositeOperation = 'source-in';
  context.drawImage(results.image, 0, 0, width, height);
  context.globalCompositeOperation = 'destination-over';
  drawBlurred(context, results.image);
  context.restore();
}

function blurWhole(context: CanvasRenderingContext2D, image: CanvasImageSource): void {
  context.save();
  drawBlurred(context, image);
  context.restore();
}

/** Drawn past the edges, so that the blur does not fade the picture's border into black. */
function drawBlurred(context: CanvasRenderingContext2D, image: CanvasImageSource): void {
  const { width, height } = context.canvas;
  context.filter = `blur(${BLUR_PX}px)`;
  context.drawImage(image, -2 * BLUR_PX, -2 * BLUR_PX, width + 4 * BLUR_PX, height + 4 * BLUR_PX);
  context.filter = 'none';
}
