import type { Lease, LeaseManager } from '../../domain/ports/lease';

/** One process, one embedded store: leases only exclude other holders in this process. */
export function createLocalLeaseManager(): LeaseManager {
  const held = new Set<string>();
  return {
    async tryAcquire(name) {
      if (held.has(name)) return undefined;
      held.add(name);
      const lease: Lease = {
        lost: new Promise<void>(() => undefined),
        release: async () => {
          held.delete(name);
        },
      };
      return lease;
    },
    async close() {
      held.clear();
    },
  };
}
