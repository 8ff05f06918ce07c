import { ObjectStoreUnavailableError } from '../../domain/ports/object-store';
import { JobAborted } from './ffmpeg-process';

export interface RetryPolicy {
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

/**
 * The object store being away is retried with backoff (it restarts, a network blips); anything
 * else, and the store still away after every attempt, is the caller's to report.
 */
export async function withStoreRetry<T>(
  what: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (attempt: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await what();
    } catch (error) {
      if (!(error instanceof ObjectStoreUnavailableError) || attempt >= policy.attempts) throw error;
      onRetry?.(attempt, error);
      const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
      await new Promise<void>((resolve, reject) => {
        const aborted = () => {
          clearTimeout(timer);
          reject(new JobAborted());
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', aborted);
          resolve();
        }, delay);
        signal?.addEventListener('abort', aborted, { once: true });
      });
    }
  }
}
