/**
 * Storage for read models: JSON documents addressed by (collection, partition, key), read one at a
 * time or as an ordered range within a partition. A projection writes its documents and its
 * checkpoint in one transaction, so data and checkpoint never disagree.
 */
export type Doc = Record<string, unknown>;

export interface RangeOptions {
  /** Keys strictly below (desc) / above (asc) this one. */
  cursor?: string;
  limit: number;
  order: 'asc' | 'desc';
}

export interface DocEntry<T extends Doc = Doc> {
  key: string;
  doc: T;
}

/** Where a document lives. */
export interface DocRef {
  collection: string;
  partition: string;
  key: string;
}

export interface ProjectionReader {
  get<T extends Doc = Doc>(collection: string, partition: string, key: string): Promise<T | undefined>;
  /** Several documents at once (one round trip where the store is remote), in the order asked. */
  getMany<T extends Doc = Doc>(refs: readonly DocRef[]): Promise<Array<T | undefined>>;
  range<T extends Doc = Doc>(
    collection: string,
    partition: string,
    options: RangeOptions,
  ): Promise<DocEntry<T>[]>;
  /** Every document of a collection (small collections: directory listings). */
  scan<T extends Doc = Doc>(
    collection: string,
    options: { limit: number; cursor?: string },
  ): Promise<DocEntry<T>[]>;
}

export interface ProjectionWriter extends ProjectionReader {
  put(collection: string, partition: string, key: string, doc: Doc): Promise<void>;
  delete(collection: string, partition: string, key: string): Promise<void>;
  /** Drop a whole collection (used by rebuilds). */
  clear(collection: string): Promise<void>;
}

export interface ProjectionStore extends ProjectionReader {
  /** Runs `work` atomically; transactions run one after another. */
  transaction<T>(work: (tx: ProjectionWriter) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
