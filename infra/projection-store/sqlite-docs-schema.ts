import type Database from 'better-sqlite3';

/**
 * Schema of the SQLite projection store: one table of JSON documents keyed by
 * (collection, partition, key). Migrations run in order, each once, tracked in PRAGMA user_version;
 * a released migration is never edited, a change is a new entry.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE docs (
     collection TEXT NOT NULL,
     partition TEXT NOT NULL,
     key TEXT NOT NULL,
     doc TEXT NOT NULL,
     PRIMARY KEY (collection, partition, key)
   ) WITHOUT ROWID;`,
];

export const DOCS_SCHEMA_VERSION = MIGRATIONS.length;

export function migrateDocsSchema(db: Database.Database): void {
  // Each step re-reads the version inside its own write transaction, so two processes opening
  // the same file at once apply every migration exactly once.
  const step = db.transaction((): boolean => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`Projection store schema v${version} is newer than this code (v${MIGRATIONS.length})`);
    }
    if (version === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[version]!);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // next migration
  }
}

export interface DocRow {
  key: string;
  doc: string;
}

type Key3 = [collection: string, partition: string, key: string];

/**
 * Keys compare with SQLite's BINARY collation (byte order of UTF-8), which is also what a
 * PostgreSQL `COLLATE "C"` column gives: zero-padded numbers and ISO timestamps sort as expected.
 */
export function prepareDocStatements(db: Database.Database) {
  return {
    get: db.prepare<Key3, { doc: string }>(
      'SELECT doc FROM docs WHERE collection = ? AND partition = ? AND key = ?',
    ),
    put: db.prepare<[...Key3, string]>(
      `INSERT INTO docs (collection, partition, key, doc) VALUES (?, ?, ?, ?)
       ON CONFLICT (collection, partition, key) DO UPDATE SET doc = excluded.doc`,
    ),
    delete: db.prepare<Key3>('DELETE FROM docs WHERE collection = ? AND partition = ? AND key = ?'),
    clear: db.prepare<[string]>('DELETE FROM docs WHERE collection = ?'),
    rangeAsc: db.prepare<[string, string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? AND partition = ? ORDER BY key ASC LIMIT ?',
    ),
    rangeAscAfter: db.prepare<[string, string, string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? AND partition = ? AND key > ? ORDER BY key ASC LIMIT ?',
    ),
    rangeDesc: db.prepare<[string, string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? AND partition = ? ORDER BY key DESC LIMIT ?',
    ),
    rangeDescBefore: db.prepare<[string, string, string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? AND partition = ? AND key < ? ORDER BY key DESC LIMIT ?',
    ),
    // A scan pages by key alone (the port's cursor is a key): meant for collections whose keys are
    // unique across partitions, such as one-partition directories. Ties go by partition.
    scan: db.prepare<[string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? ORDER BY key ASC, partition ASC LIMIT ?',
    ),
    scanAfter: db.prepare<[string, string, number], DocRow>(
      'SELECT key, doc FROM docs WHERE collection = ? AND key > ? ORDER BY key ASC, partition ASC LIMIT ?',
    ),
  };
}

export type DocStatements = ReturnType<typeof prepareDocStatements>;
