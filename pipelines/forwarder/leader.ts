import type { Logger } from 'pino';
import type { LeaseManager } from '../../domain/ports/lease';

export interface LeaderLoop {
  readonly leading: boolean;
  stop(): Promise<void>;
}

/**
 * Runs `work` on whichever node holds the lease: others try again every `retryMs`, so when the
 * leader dies (its lease is lost) another node starts the work from the shared checkpoint.
 */
export function runWhileLeader(options: {
  leases: LeaseManager;
  name: string;
  logger: Logger;
  retryMs?: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}): LeaderLoop {
  const retryMs = options.retryMs ?? 2000;
  let leading = false;
  let stopped = false;
  let release: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function attempt(): Promise<void> {
    if (stopped) return;
    const lease = await options.leases.tryAcquire(options.name);
    if (!lease || stopped) {
      await lease?.release();
      schedule();
      return;
    }
    leading = true;
    release = () => lease.release();
    options.logger.info({ lease: options.name }, 'leading');
    try {
      await options.start();
    } catch (error) {
      // Holding the lease without doing the work would stop it for every node: let it go, retry.
      options.logger.error({ err: error, lease: options.name }, 'could not start the work; retrying');
      leading = false;
      release = undefined;
      await options.stop().catch(() => undefined);
      await lease.release();
      schedule();
      return;
    }
    void lease.lost.then(async () => {
      if (stopped) return;
      options.logger.warn({ lease: options.name }, 'lease lost; stopping until it is won again');
      leading = false;
      await options.stop();
      schedule();
    });
  }
  /** The next attempt; one that fails outright (a bug) is logged and retried, never left unhandled. */
  function schedule(delayMs = retryMs): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void attempt().catch((error: unknown) => {
        options.logger.error({ err: error }, 'leader loop failed');
        schedule();
      });
    }, delayMs);
  }
  schedule(0);

  return {
    get leading() {
      return leading;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (leading) await options.stop();
      leading = false;
      await release?.();
    },
  };
}
