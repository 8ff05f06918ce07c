import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html';
import { Icon } from './icons';

/**
 * A live level meter for the preview's microphone, so a person sees that it hears them: a wide
 * bar under the preview (a thin one inside the video went unnoticed). The level is written to the
 * DOM directly, at animation-frame rate, without re-rendering.
 */
export function MicLevel(props: { track: MediaStreamTrack }): VNode {
  const meter = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const context = new AudioContext();
    const source = context.createMediaStreamSource(new MediaStream([props.track]));
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    let frame = 0;
    let shown = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s - 128));
      // Rise at once, fall slowly: a meter people can read.
      const level = Math.min(1, peak / 48);
      shown = level > shown ? level : Math.max(level, shown - 0.04);
      const el = meter.current;
      if (el) {
        el.style.setProperty('--level', shown.toFixed(3));
        el.setAttribute('aria-valuenow', String(Math.round(shown * 100)));
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void context.close();
    };
  }, [props.track]);
  return html`<div class="mic-level">
    <${Icon} name="mic" size=${16} />
    <div
      class="mic-level-bar"
      ref=${meter}
      role="meter"
      aria-label="Microphone level"
      aria-valuemin="0"
      aria-valuemax="100"
      aria-valuenow="0"
    >
      <span></span>
    </div>
  </div>`;
}
