import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from './html';
import { useSpeaker } from './use-speaker';

/** Shows one video track. `onElement` lets the caller watch the element's size. */
export function VideoView(props: {
  track: MediaStreamTrack;
  mirror?: boolean;
  fit?: 'cover' | 'contain';
  label?: string;
  onElement?: (element: HTMLVideoElement) => (() => void) | void;
}): VNode {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = new MediaStream([props.track]);
    // Autoplay of muted video is always allowed; a rejected play() only means "not yet".
    video.play().catch(() => undefined);
    return () => {
      video.srcObject = null;
    };
  }, [props.track]);
  const { onElement } = props;
  useEffect(() => {
    if (ref.current && onElement) return onElement(ref.current) ?? undefined;
    return undefined;
  }, [onElement]);
  return html`<video
    ref=${ref}
    class=${`video ${props.mirror ? 'mirrored' : ''} fit-${props.fit ?? 'cover'}`}
    autoplay
    playsinline
    muted
    aria-label=${props.label}
  ></video>`;
}

/**
 * Plays one remote audio track (kept apart from the tiles so layout changes never cut sound), on
 * the speaker the person chose.
 */
export function AudioSink(props: { track: MediaStreamTrack }): VNode {
  const ref = useRef<HTMLAudioElement>(null);
  useSpeaker(ref);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([props.track]);
    audio.play().catch(() => undefined);
    return () => {
      audio.srcObject = null;
    };
  }, [props.track]);
  return html`<audio ref=${ref} autoplay></audio>`;
}
