import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html';

/** A live level bar for the preview's microphone, so a person sees that it hears them. */
export function MicLevel(props: { track: MediaStreamTrack }): VNode {
  const bar = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([props.track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    let frame = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
      bar.current?.style.setProperty('--level', String(Math.min(1, peak / 64)));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void context.close();
    };
  }, [props.track]);
  return html`<div class="mic-level" aria-hidden="true"><span ref=${bar}></span></div>`;
}
