import pg from 'pg';
import type { Lease, LeaseManager } from '../../domain/ports/lease';

/**
 * Leases as PostgreSQL session advisory locks, each on a connection of its own: if the node dies
 * or its connection drops, PostgreSQL releases the lock and another node takes the work over.
 */
export function createPostgresLeaseManager(options: {
  connectionString: string;
  onError?(error: unknown): void;
}): LeaseManager {
  const clients = new Set<pg.Client>();
  return {
    async tryAcquire(name) {
      const client = new pg.Client({
        connectionString: options.connectionString,
        application_name: `confer-lease-${name}`,
      });
      let markLost: () => void = () => undefined;
      const lost = new Promise<void>((resolve) => (markLost = resolve));
      client.on('error', (error) => {
        options.onError?.(error);
        markLost();
      });
      client.on('end', () => markLost());
      try {
        await client.connect();
        const { rows } = await client.query<{ ok: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS ok',
          [`confer:${name}`],
        );
        if (!rows[0]?.ok) {
          await client.end();
          return undefined;
        }
      } catch (error) {
        options.onError?.(error);
        await client.end().catch(() => undefined);
        return undefined;
      }
      clients.add(client);
      const lease: Lease = {
        lost,
        async release() {
          clients.delete(client);
          // Closing the session releases the lock; `lost` stays pending for a release.
          client.removeAllListeners('end');
          await client.end().catch(() => undefined);
        },
      };
      return lease;
    },
    async close() {
      await Promise.all([...clients].map((c) => c.end().catch(() => undefined)));
      clients.clear();
    },
  };
}
