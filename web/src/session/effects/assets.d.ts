// Vite builds a worker (here an AudioWorklet module) on its own and hands back its URL.
declare module '*?worker&url' {
  const url: string;
  export default url;
}

// Emscripten's synchronous build of RNNoise, with its wasm inlined (an AudioWorklet cannot fetch).
declare module '@jitsi/rnnoise-wasm/dist/rnnoise-sync.js' {
  export interface RnnoiseModule {
    HEAPF32: Float32Array;
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    _rnnoise_create(model?: number): number;
    _rnnoise_destroy(state: number): void;
    /** Denoises 480 samples (16-bit range) from `input` into `output`; returns the voice probability. */
    _rnnoise_process_frame(state: number, output: number, input: number): number;
  }
  const createRnnoiseModule: () => RnnoiseModule;
  export default createRnnoiseModule;
}
