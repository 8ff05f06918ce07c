import type pg from 'pg';

export interface Migration<N> {
  version: number;
  description: string;
  sql(names: N): string;
}

/**
 * Applies, in version order, the migrations not yet recorded in `migrationsTable`, each in its own
 * transaction with its record. The caller holds the migration lock; shared by every PostgreSQL store.
 */
export async function applyPendingMigrations<N>(
  client: pg.ClientBase,
  migrations: readonly Migration<N>[],
  done: ReadonlySet<number>,
  migrationsTable: string,
  names: N,
): Promise<number[]> {
  const applied: number[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    await client.query('BEGIN');
    try {
      await client.query(migration.sql(names));
      await client.query(`INSERT INTO ${migrationsTable} (version, description) VALUES ($1, $2)`, [
        migration.version,
        migration.description,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}
