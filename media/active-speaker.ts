/**
 * Debounces the dominant-speaker signal: a change is committed at most once per `minIntervalMs`,
 * and a change proposed too early is committed when the interval is over if it still holds, so
 * that a cough does not flip the highlighted tile back and forth (each commit is an event).
 */
export interface SpeakerDebouncer {
  /** The observer says this participant dominates now. */
  propose(participantId: string | null): void;
  /** This participant is gone: clear them at once if they are the committed speaker. */
  forget(participantId: string): void;
  readonly current: string | null;
  close(): void;
}

export function createSpeakerDebouncer(options: {
  minIntervalMs: number;
  commit(participantId: string | null): void;
  now?: () => number;
}): SpeakerDebouncer {
  const now = options.now ?? Date.now;
  let current: string | null = null;
  let candidate: string | null = null;
  let lastChange = -Infinity;
  let timer: NodeJS.Timeout | undefined;

  function commit(participantId: string | null): void {
    current = participantId;
    lastChange = now();
    options.commit(participantId);
  }

  function settle(): void {
    timer = undefined;
    if (candidate !== current) commit(candidate);
  }

  return {
    propose(participantId) {
      candidate = participantId;
      if (participantId === current) return;
      const wait = lastChange + options.minIntervalMs - now();
      if (wait <= 0) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        commit(participantId);
      } else if (!timer) {
        timer = setTimeout(settle, wait);
        timer.unref();
      }
    },
    forget(participantId) {
      if (candidate === participantId) candidate = null;
      if (current === participantId) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        commit(null);
      }
    },
    get current() {
      return current;
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
