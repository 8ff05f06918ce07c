/** The AudioWorklet processor's registered name, shared by the worklet and the page (nothing else: importing the worklet would bundle RNNoise into the page). */
export const RNNOISE_PROCESSOR = 'confer-rnnoise';
