/**
 * Noise suppression on the audio thread: RNNoise (Jitsi's wasm build, compiled in synchronously
 * because an AudioWorklet can neither fetch nor wait) on 10 ms frames of 480 samples at 48 kHz.
 * The audio thread hands over 128 samples at a time, so input gathers into whole frames and the
 * denoised frames queue for output, primed with one frame of silence: with that head start the
 * queue never runs dry (10 ms of added latency).
 */
import createRnnoiseModule from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';
import { RNNOISE_PROCESSOR } from './rnnoise-name';

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;

const FRAME = 480;
/** RNNoise was trained on 16-bit samples: Web Audio's [-1, 1] floats are scaled to that range. */
const SCALE = 32768;
const QUEUE = 2048;

class RnnoiseProcessor extends AudioWorkletProcessor {
  private readonly rnnoise = createRnnoiseModule();
  private state = this.rnnoise._rnnoise_create();
  private readonly frameIn = this.rnnoise._malloc(FRAME * 4);
  private readonly frameOut = this.rnnoise._malloc(FRAME * 4);
  private readonly gathered = new Float32Array(FRAME);
  private gatheredLength = 0;
  private readonly queue = new Float32Array(QUEUE);
  private readAt = 0;
  // One frame of silence ahead: see the comment at the top.
  private queued = FRAME;
  private stopped = false;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent) => {
      if (event.data === 'stop') this.release();
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const input = inputs[0]?.[0];
    const output = outputs[0]?.[0];
    if (!output) return true;
    if (input) this.take(input);
    for (let i = 0; i < output.length; i++) {
      if (this.queued === 0) break;
      output[i] = this.queue[this.readAt]!;
      this.readAt = (this.readAt + 1) % QUEUE;
      this.queued--;
    }
    return true;
  }

  private take(samples: Float32Array): void {
    for (const sample of samples) {
      this.gathered[this.gatheredLength++] = sample;
      if (this.gatheredLength === FRAME) {
        this.denoise();
        this.gatheredLength = 0;
      }
    }
  }

  private denoise(): void {
    // The heap may have grown (and its view been replaced) since the last frame.
    const heap = this.rnnoise.HEAPF32;
    const inAt = this.frameIn / 4;
    const outAt = this.frameOut / 4;
    for (let i = 0; i < FRAME; i++) heap[inAt + i] = this.gathered[i]! * SCALE;
    this.rnnoise._rnnoise_process_frame(this.state, this.frameOut, this.frameIn);
    const writeAt = (this.readAt + this.queued) % QUEUE;
    for (let i = 0; i < FRAME; i++) this.queue[(writeAt + i) % QUEUE] = heap[outAt + i]! / SCALE;
    this.queued = Math.min(QUEUE, this.queued + FRAME);
  }

  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.rnnoise._rnnoise_destroy(this.state);
    this.rnnoise._free(this.frameIn);
    this.rnnoise._free(this.frameOut);
    this.state = 0;
  }
}

registerProcessor(RNNOISE_PROCESSOR, RnnoiseProcessor);
