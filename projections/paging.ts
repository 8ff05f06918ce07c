import type { Doc, DocEntry, ProjectionReader } from '../domain/ports/projection-store';

/** A query's page size must be a positive integer; the gateway bounds it from above. */
export function assertPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Page limit must be ≥ 1, got ${limit}`);
}

/** Every document of one partition in key order, read in pages so no single read is unbounded. */
export async function readWholePartition<T extends Doc>(
  reader: ProjectionReader,
  collection: string,
  partition: string,
  pageSize = 500,
): Promise<DocEntry<T>[]> {
  const all: DocEntry<T>[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await reader.range<T>(collection, partition, {
      limit: pageSize,
      order: 'asc',
      ...(cursor === undefined ? {} : { cursor }),
    });
    all.push(...page);
    if (page.length < pageSize) return all;
    cursor = page[page.length - 1]!.key;
  }
}
