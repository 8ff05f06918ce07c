import pg from 'pg';
import type { WakeSignal } from '../wake-signal';

export interface CommitListenerOptions {
  client: pg.ClientConfig;
  channel: string;
  /** First reconnection delay; doubles up to maxRetryMs while the server stays away. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface CommitListener {
  /** Registers a signal woken by every commit of any node; returns the unregister function. */
  watch(signal: WakeSignal): () => void;
  /** Wakes every watcher (a commit made by this process: no need to wait for the round trip). */
  wakeAll(): void;
  close(): Promise<void>;
}

/**
 * One dedicated connection that LISTENs for commits (NOTIFY is sent inside each append's
 * transaction, so it arrives only once the events are visible). When the connection drops it is
 * opened again with backoff, and every watcher is woken after it is back: notifications sent
 * while it was away are lost, so subscribers must read once to catch up.
 */
export function startCommitListener(options: CommitListenerOptions): CommitListener {
  const retryMs = options.retryMs ?? 100;
  const maxRetryMs = options.maxRetryMs ?? 5000;
  const watchers = new Set<WakeSignal>();
  let current: pg.Client | undefined;
  let delay = retryMs;
  let timer: NodeJS.Timeout | undefined;
  let attempt: Promise<void> | undefined;
  let closed = false;

  const wakeAll = (): void => {
    for (const watcher of watchers) watcher.notify();
  };

  function connect(): void {
    timer = undefined;
    const client = new pg.Client(options.client);
    let lost = false;
    const lose = (): void => {
      if (lost) return;
      lost = true;
      if (current === client) current = undefined;
      client.end().catch(() => undefined);
      if (!closed) {
        timer = setTimeout(connect, delay);
        delay = Math.min(delay * 2, maxRetryMs);
      }
    };
    client.on('error', lose);
    client.on('end', lose);
    client.on('notification', (message) => {
      if (message.channel === options.channel) wakeAll();
    });
    attempt = client
      .connect()
      .then(() => client.query(`LISTEN "${options.channel}"`))
      .then(() => {
        if (lost) return;
        if (closed) {
          lost = true;
          void client.end().catch(() => undefined);
          return;
        }
        current = client;
        delay = retryMs;
        wakeAll();
      }, lose);
  }

  connect();

  return {
    watch(signal) {
      watchers.add(signal);
      return () => watchers.delete(signal);
    },
    wakeAll,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await attempt;
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
