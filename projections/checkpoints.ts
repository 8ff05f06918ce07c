import type { ProjectionReader, ProjectionWriter } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';

/**
 * Where projections record how far they got, in the same store (and transaction) as their data.
 * `_checkpoints` / partition = projection name / key = meetingId: `{ revision, position }`, the
 * last stream revision applied for that meeting (events of one meeting arrive in order, whatever
 * the partitioning of the bus). `_positions` / '' / projection name: `{ position, version }`, the
 * highest global position applied, for rebuilds and status.
 */
export const CHECKPOINTS = '_checkpoints';
export const POSITIONS = '_positions';

export interface MeetingCheckpoint {
  [field: string]: unknown;
  revision: number;
  position: number;
}

export interface ProjectionPosition {
  [field: string]: unknown;
  position: number;
  version: number;
}

/** No event of the meeting applied yet: any revision (they start at 0) is new. */
const NONE: MeetingCheckpoint = { revision: -1, position: 0 };

export async function readMeetingCheckpoint(
  reader: ProjectionReader,
  projection: string,
  meetingId: string,
): Promise<MeetingCheckpoint> {
  return (await reader.get<MeetingCheckpoint>(CHECKPOINTS, projection, meetingId)) ?? NONE;
}

export function readPosition(reader: ProjectionReader, projection: string) {
  return reader.get<ProjectionPosition>(POSITIONS, '', projection);
}

/**
 * The checkpoints one batch touches: each read once from the transaction, advanced in memory per
 * event, and written once at the end of the batch (a meeting with 500 events in a batch costs one
 * checkpoint write, not 500).
 */
export class BatchCheckpoints {
  /** projection → meetingId → checkpoint (read or advanced in this batch). */
  private readonly meetings = new Map<string, Map<string, MeetingCheckpoint>>();
  private readonly advanced = new Map<string, Set<string>>();
  private readonly positions = new Map<string, number>();

  constructor(private readonly tx: ProjectionWriter) {}

  /** Reads the checkpoints of every projection for every meeting of the batch, in one go. */
  async prefetch(projections: readonly string[], meetingIds: readonly string[]): Promise<void> {
    const refs = projections.flatMap((projection) =>
      meetingIds.map((meetingId) => ({ collection: CHECKPOINTS, partition: projection, key: meetingId })),
    );
    const stored = await this.tx.getMany<MeetingCheckpoint>(refs);
    refs.forEach((ref, i) =>
      this.of(this.meetings, ref.partition, () => new Map()).set(ref.key, stored[i] ?? NONE),
    );
  }

  async revisionOf(projection: string, meetingId: string): Promise<number> {
    const known = this.meetings.get(projection)?.get(meetingId);
    if (known) return known.revision;
    const stored = await readMeetingCheckpoint(this.tx, projection, meetingId);
    this.of(this.meetings, projection, () => new Map()).set(meetingId, stored);
    return stored.revision;
  }

  advance(projection: string, event: StoredEvent): void {
    const checkpoint = { revision: event.streamRevision, position: event.globalPosition };
    this.of(this.meetings, projection, () => new Map()).set(event.meetingId, checkpoint);
    this.of(this.advanced, projection, () => new Set()).add(event.meetingId);
    this.positions.set(projection, Math.max(this.positions.get(projection) ?? 0, event.globalPosition));
  }

  async write(versionOf: (projection: string) => number): Promise<void> {
    for (const [projection, meetingIds] of this.advanced) {
      for (const meetingId of meetingIds) {
        await this.tx.put(CHECKPOINTS, projection, meetingId, this.meetings.get(projection)!.get(meetingId)!);
      }
    }
    for (const [projection, position] of this.positions) {
      const stored = await readPosition(this.tx, projection);
      const doc: ProjectionPosition = {
        position: Math.max(stored?.position ?? 0, position),
        version: versionOf(projection),
      };
      await this.tx.put(POSITIONS, '', projection, doc);
    }
  }

  private of<V>(map: Map<string, V>, key: string, create: () => V): V {
    let value = map.get(key);
    if (value === undefined) {
      value = create();
      map.set(key, value);
    }
    return value;
  }
}
