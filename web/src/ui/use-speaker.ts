import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';
import { mediaChoices } from '../session/media-choices';
import { useStore } from '../session/store';

type SinkElement = HTMLMediaElement & { setSinkId?(sinkId: string): Promise<void> };

/**
 * Plays the element on the chosen speaker (`setSinkId`), and follows a new choice. A speaker that
 * is gone (unplugged since it was chosen) plays on the default output instead of going silent.
 */
export function useSpeaker(ref: RefObject<HTMLMediaElement | null>): void {
  const speakerId = useStore(mediaChoices, (c) => c.speakerId);
  useEffect(() => {
    const element = ref.current as SinkElement | null;
    if (!element?.setSinkId) return;
    element.setSinkId(speakerId ?? '').catch((error: unknown) => {
      console.warn('the chosen speaker cannot play', error);
      if (speakerId) void element.setSinkId?.('').catch(() => undefined);
    });
  }, [speakerId]);
}
