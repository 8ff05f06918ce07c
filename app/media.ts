import type { MediaSignaling } from '../gateways/signaling/media-signaling.port';
import type { MediaDeps } from './compose';

/** The SFU for this node, when MEDIA is on and the mediasoup worker is available. */
export async function createMediaFromConfig(
  deps: MediaDeps,
): Promise<MediaSignaling & { close(): Promise<void> }> {
  deps.logger.warn('media (SFU) is not wired yet');
  return {
    available: false,
    handle: async () => undefined,
    participantDisconnected: async () => undefined,
    close: async () => undefined,
  };
}
