import type { SignalingClient } from './signaling-client';

const DEBOUNCE_MS = 400;

/**
 * Tells the SFU how large each remote video is shown (CSS pixels), so that it forwards the
 * simulcast layer the tile can use: a thumbnail gets the small layer, the stage the large one.
 */
export class ViewportReporter {
  private readonly sizes = new Map<string, { width: number; height: number }>();
  private readonly elements = new Map<Element, string>();
  private readonly observer: ResizeObserver;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSent = '';

  constructor(private readonly signaling: SignalingClient) {
    this.observer = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const consumerId = this.elements.get(entry.target);
        if (!consumerId) continue;
        const { width, height } = entry.contentRect;
        this.sizes.set(consumerId, { width: Math.round(width), height: Math.round(height) });
      }
      this.schedule();
    });
  }

  /** Starts watching a video element showing `consumerId`; returns the function that stops it. */
  watch(element: Element, consumerId: string): () => void {
    this.elements.set(element, consumerId);
    this.observer.observe(element);
    return () => {
      this.observer.unobserve(element);
      this.elements.delete(element);
      if (![...this.elements.values()].includes(consumerId)) this.sizes.delete(consumerId);
      this.schedule();
    };
  }

  /** Sends the sizes again (after a reconnection the SFU has new consumers). */
  reset(): void {
    this.lastSent = '';
    this.schedule();
  }

  close(): void {
    clearTimeout(this.timer);
    this.observer.disconnect();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    const tiles = [...this.sizes].map(([consumerId, size]) => ({ consumerId, ...size }));
    const key = JSON.stringify(tiles);
    if (key === this.lastSent || !this.signaling.connected) return;
    this.lastSent = key;
    this.signaling.request('media:report-viewport', { tiles }).catch(() => {
      // Not every server version picks layers by size; the default layer still works.
    });
  }
}
