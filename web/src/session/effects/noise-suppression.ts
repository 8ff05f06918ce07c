import workletUrl from './rnnoise-worklet.ts?worker&url';
import { RNNOISE_PROCESSOR } from './rnnoise-name';
import { EffectError, type TrackEffect } from './track-effect';

/** RNNoise's rate: its frames are 10 ms at 48 kHz. The context resamples whatever the microphone gives. */
const SAMPLE_RATE = 48_000;

/**
 * The microphone through RNNoise: microphone → AudioWorklet (rnnoise-worklet.ts, built and served
 * by this app) → a MediaStream track the producer sends. The microphone's own track stays open.
 */
export async function startNoiseSuppression(microphone: MediaStreamTrack): Promise<TrackEffect> {
  if (typeof AudioWorkletNode === 'undefined')
    throw new EffectError('noiseSuppression', 'This browser cannot run noise suppression.');
  const context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
  try {
    await context.audioWorklet.addModule(workletUrl);
    // A context made before any click on the page (a reload) stays suspended: silent, not sent.
    if (context.state !== 'running') await context.resume();
    if (context.state !== 'running')
      throw new EffectError(
        'noiseSuppression',
        'Noise suppression starts with your first click or key press on the page.',
        undefined,
        true,
      );
  } catch (error) {
    void context.close();
    if (error instanceof EffectError) throw error;
    throw new EffectError('noiseSuppression', 'Noise suppression could not start.', error);
  }
  const input = context.createMediaStreamSource(new MediaStream([microphone]));
  const denoiser = new AudioWorkletNode(context, RNNOISE_PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: 1,
    channelCountMode: 'explicit',
  });
  const output = context.createMediaStreamDestination();
  output.channelCount = 1;
  input.connect(denoiser).connect(output);
  const track = output.stream.getAudioTracks()[0]!;
  return {
    track,
    stop() {
      input.disconnect();
      denoiser.port.postMessage('stop');
      denoiser.disconnect();
      track.stop();
      void context.close();
    },
  };
}
