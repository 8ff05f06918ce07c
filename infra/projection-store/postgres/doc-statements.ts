import type {
  Doc,
  DocEntry,
  DocRef,
  ProjectionReader,
  RangeOptions,
} from '../../../domain/ports/projection-store';
import type { DocsTables } from './migrations';

/** A statement prepared once per connection (node-postgres caches it by name). */
export interface Statement {
  name: string;
  text: string;
}

export interface DocRow {
  key: string;
  doc: string;
}

/** Runs one statement on a pool or on a transaction's client; errors come back translated. */
export type RunStatement = <R extends object>(statement: Statement, values: unknown[]) => Promise<R[]>;

/**
 * The SQL of every document operation. Documents come back as text (`doc::text`), parsed here:
 * the exact JSON that was written, whatever type parsers the process installed in node-postgres.
 * Keys compare by the column's "C" collation, which parameters inherit.
 */
export function docStatements(t: DocsTables) {
  const statement = (name: string, text: string): Statement => ({ name: `projection-store.${name}`, text });
  const where = 'collection = $1 AND partition = $2';
  const get = `SELECT doc::text AS doc FROM ${t.docs} WHERE ${where} AND key = $3`;
  const getMany = `SELECT r.i, d.doc::text AS doc
    FROM json_to_recordset($1::json) AS r(i int, c text, p text, k text)
    JOIN ${t.docs} AS d ON d.collection = r.c COLLATE "C" AND d.partition = r.p COLLATE "C" AND d.key = r.k COLLATE "C"`;
  return {
    get: statement('get', get),
    // Inside a transaction a read is a read for update (see transaction-writer.ts).
    getForUpdate: statement('get-for-update', `${get} FOR UPDATE`),
    upsert: statement(
      'upsert',
      `INSERT INTO ${t.docs} (collection, partition, key, doc) VALUES ($1, $2, $3, $4::json)
       ON CONFLICT (collection, partition, key) DO UPDATE SET doc = excluded.doc`,
    ),
    insert: statement(
      'insert',
      `INSERT INTO ${t.docs} (collection, partition, key, doc) VALUES ($1, $2, $3, $4::json)`,
    ),
    delete: statement('delete', `DELETE FROM ${t.docs} WHERE ${where} AND key = $3`),
    // Many documents in one statement: $1 is a JSON array of {i, c, p, k} (i: the place asked) or,
    // to write, of {c, p, k, d} (d: the document's text). Found documents only come back.
    getMany: statement('get-many', getMany),
    // Locked in key order, so that two transactions locking overlapping sets cannot deadlock.
    getManyForUpdate: statement(
      'get-many-for-update',
      `${getMany} ORDER BY d.collection, d.partition, d.key FOR UPDATE OF d`,
    ),
    upsertMany: statement(
      'upsert-many',
      `INSERT INTO ${t.docs} (collection, partition, key, doc)
       SELECT r.c, r.p, r.k, r.d::json FROM json_to_recordset($1::json) AS r(c text, p text, k text, d text)
       ON CONFLICT (collection, partition, key) DO UPDATE SET doc = excluded.doc`,
    ),
    insertMany: statement(
      'insert-many',
      `INSERT INTO ${t.docs} (collection, partition, key, doc)
       SELECT r.c, r.p, r.k, r.d::json FROM json_to_recordset($1::json) AS r(c text, p text, k text, d text)`,
    ),
    deleteMany: statement(
      'delete-many',
      `DELETE FROM ${t.docs} AS d USING json_to_recordset($1::json) AS r(c text, p text, k text)
       WHERE d.collection = r.c COLLATE "C" AND d.partition = r.p COLLATE "C" AND d.key = r.k COLLATE "C"`,
    ),
    clear: statement('clear', `DELETE FROM ${t.docs} WHERE collection = $1`),
    rangeAsc: statement(
      'range-asc',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE ${where} ORDER BY key ASC LIMIT $3`,
    ),
    rangeAscAfter: statement(
      'range-asc-after',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE ${where} AND key > $3 ORDER BY key ASC LIMIT $4`,
    ),
    rangeDesc: statement(
      'range-desc',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE ${where} ORDER BY key DESC LIMIT $3`,
    ),
    rangeDescBefore: statement(
      'range-desc-before',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE ${where} AND key < $3 ORDER BY key DESC LIMIT $4`,
    ),
    // Pages by key alone (the port's cursor is a key), ties by partition: as the SQLite store.
    scan: statement(
      'scan',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE collection = $1 ORDER BY key ASC, partition ASC LIMIT $2`,
    ),
    scanAfter: statement(
      'scan-after',
      `SELECT key, doc::text AS doc FROM ${t.docs} WHERE collection = $1 AND key > $2
       ORDER BY key ASC, partition ASC LIMIT $3`,
    ),
  };
}

export type DocStatements = ReturnType<typeof docStatements>;

/** get/range/scan over `run`; `assertUsable` runs before each (a closed store, an ended transaction). */
export function docReader(
  stmts: DocStatements,
  run: RunStatement,
  assertUsable: () => void,
): ProjectionReader {
  return {
    async get<T extends Doc = Doc>(collection: string, partition: string, key: string) {
      assertUsable();
      const [row] = await run<{ doc: string }>(stmts.get, [collection, partition, key]);
      return row ? (JSON.parse(row.doc) as T) : undefined;
    },
    async getMany<T extends Doc = Doc>(refs: readonly DocRef[]) {
      assertUsable();
      const found = new Map<number, string>();
      if (refs.length > 0)
        for (const row of await run<{ i: number; doc: string }>(stmts.getMany, [refList(refs)]))
          found.set(row.i, row.doc);
      return refs.map((_, i) => {
        const text = found.get(i);
        return text === undefined ? undefined : (JSON.parse(text) as T);
      });
    },
    async range<T extends Doc = Doc>(collection: string, partition: string, opts: RangeOptions) {
      assertUsable();
      const { cursor, limit, order } = opts;
      const rows =
        order === 'asc'
          ? cursor === undefined
            ? await run<DocRow>(stmts.rangeAsc, [collection, partition, limit])
            : await run<DocRow>(stmts.rangeAscAfter, [collection, partition, cursor, limit])
          : cursor === undefined
            ? await run<DocRow>(stmts.rangeDesc, [collection, partition, limit])
            : await run<DocRow>(stmts.rangeDescBefore, [collection, partition, cursor, limit]);
      return rows.map((row) => toEntry<T>(row));
    },
    async scan<T extends Doc = Doc>(collection: string, opts: { limit: number; cursor?: string }) {
      assertUsable();
      const rows =
        opts.cursor === undefined
          ? await run<DocRow>(stmts.scan, [collection, opts.limit])
          : await run<DocRow>(stmts.scanAfter, [collection, opts.cursor, opts.limit]);
      return rows.map((row) => toEntry<T>(row));
    },
  };
}

function toEntry<T extends Doc>(row: DocRow): DocEntry<T> {
  return { key: row.key, doc: JSON.parse(row.doc) as T };
}

/** The `$1` of get-many: each reference with its place in the list. */
export function refList(refs: readonly DocRef[]): string {
  return JSON.stringify(refs.map((r, i) => ({ i, c: r.collection, p: r.partition, k: r.key })));
}
