/**
 * Noise suppression on the audio thread: RNNoise (Jitsi's wasm build, compiled synchronously
 * because an AudioWorklet can neither fetch nor wait) on 10 ms frames of 480 samples at 48 kHz,
 * rebuffered from the audio thread's 128-sample blocks (frame-rebuffer.ts).
 */
import createRnnoiseModule from '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js';
import { FrameRebuffer } from './frame-rebuffer';
import { RNNOISE_PROCESSOR } from './rnnoise-name';

// The AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;

const FRAME = 480;
/** RNNoise was trained on 16-bit samples: Web Audio's [-1, 1] floats are scaled to that range. */
const SCALE = 32768;

class RnnoiseProcessor extends AudioWorkletProcessor {
  private readonly rnnoise = createRnnoiseModule();
  private readonly state = this.rnnoise._rnnoise_create();
  private readonly frameIn = this.rnnoise._malloc(FRAME * 4);
  private readonly frameOut = this.rnnoise._malloc(FRAME * 4);
  private readonly rebuffer = new FrameRebuffer(FRAME, (input, output) => this.denoise(input, output));
  private stopped = false;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent) => {
      if (event.data === 'stop') this.release();
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    if (this.stopped) return false;
    const output = outputs[0]?.[0];
    if (output) this.rebuffer.push(inputs[0]?.[0], output);
    return true;
  }

  private denoise(input: Float32Array, output: Float32Array): void {
    // The heap may have grown (and its view been replaced) since the last frame.
    const heap = this.rnnoise.HEAPF32;
    const inAt = this.frameIn / 4;
    const outAt = this.frameOut / 4;
    for (let i = 0; i < FRAME; i++) heap[inAt + i] = input[i]! * SCALE;
    this.rnnoise._rnnoise_process_frame(this.state, this.frameOut, this.frameIn);
    for (let i = 0; i < FRAME; i++) output[i] = heap[outAt + i]! / SCALE;
  }

  private release(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.rnnoise._rnnoise_destroy(this.state);
    this.rnnoise._free(this.frameIn);
    this.rnnoise._free(this.frameOut);
  }
}

registerProcessor(RNNOISE_PROCESSOR, RnnoiseProcessor);
