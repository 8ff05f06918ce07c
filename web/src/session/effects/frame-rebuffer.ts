/**
 * The audio thread hands over 128 samples at a time; RNNoise works on frames of 480. Input
 * gathers into whole frames, each frame is processed into a queue, and the output is read from
 * that queue, which starts with one frame of silence: with that head start it never runs dry
 * (128-sample reads against 480-sample writes leave at least 160 samples queued), at the cost of
 * one frame of latency (10 ms at 48 kHz).
 */
export class FrameRebuffer {
  private readonly gathered: Float32Array;
  private gatheredLength = 0;
  private readonly processed: Float32Array;
  private readonly queue: Float32Array;
  /** Allocated once: the audio thread must not make garbage every block. */
  private silence = new Float32Array(128);
  private readAt = 0;
  private queued: number;
  /** Samples that could not be played because the queue was empty (zero unless the design is wrong). */
  underruns = 0;

  constructor(
    private readonly frame: number,
    private readonly processFrame: (input: Float32Array, output: Float32Array) => void,
  ) {
    this.gathered = new Float32Array(frame);
    this.processed = new Float32Array(frame);
    this.queue = new Float32Array(frame * 4);
    this.queued = frame;
  }

  /**
   * Takes one block of input and fills `output` (the same length) with processed samples. No input
   * (nothing connected for a moment) counts as silence, so the queue keeps its head start.
   */
  push(input: Float32Array | undefined, output: Float32Array): void {
    if (this.silence.length !== output.length) this.silence = new Float32Array(output.length);
    this.take(input ?? this.silence);
    for (let i = 0; i < output.length; i++) {
      if (this.queued === 0) {
        output[i] = 0;
        this.underruns++;
        continue;
      }
      output[i] = this.queue[this.readAt]!;
      this.readAt = (this.readAt + 1) % this.queue.length;
      this.queued--;
    }
  }

  private take(samples: Float32Array): void {
    for (const sample of samples) {
      this.gathered[this.gatheredLength++] = sample;
      if (this.gatheredLength < this.frame) continue;
      this.gatheredLength = 0;
      this.processFrame(this.gathered, this.processed);
      const size = this.queue.length;
      const writeAt = (this.readAt + this.queued) % size;
      for (let i = 0; i < this.frame; i++) this.queue[(writeAt + i) % size] = this.processed[i]!;
      this.queued = Math.min(size, this.queued + this.frame);
    }
  }
}
