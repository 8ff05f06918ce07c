import type { DocRef, ProjectionReader, ProjectionWriter } from '../domain/ports/projection-store';
import type { StoredEvent } from '../domain/shared/envelope';

/**
 * Where projections record how far they got, in the same store (and transaction) as their data.
 * - `_meeting_checkpoints` / partition = the runner's group / key = meetingId:
 *   `{ [projection]: { revision, position } }`, the last stream revision each projection applied
 *   for that meeting (events of one meeting arrive in order, whatever the partitioning of the bus).
 *   One document per meeting for all the group's projections: a batch reads and writes it once per
 *   meeting, where one document per projection cost a read and a write per projection per meeting
 *   even for projections that ignore the event (most of the read models' statements under chat).
 * - `_positions` / '' / projection name: `{ position, version }`, the highest global position
 *   applied, for rebuilds and status.
 * - `_checkpoints` / projection name / meetingId: `{ revision, position }`, the layout before
 *   groups. Read when a group's document has no entry for a projection (a store written by an
 *   older version), never written; a rebuild deletes it.
 */
export const MEETING_CHECKPOINTS = '_meeting_checkpoints';
export const POSITIONS = '_positions';
export const LEGACY_CHECKPOINTS = '_checkpoints';

/** The group of the product's read models; the analytics pipeline keeps its own. */
export const READ_MODELS_GROUP = 'read-models';

export interface MeetingCheckpoint {
  [field: string]: unknown;
  revision: number;
  position: number;
}

/** One meeting's checkpoints in one group: projection name → checkpoint. */
export type MeetingCheckpoints = Record<string, MeetingCheckpoint>;

export interface ProjectionPosition {
  [field: string]: unknown;
  position: number;
  version: number;
}

/** No event of the meeting applied yet: any revision (they start at 0) is new. */
const NONE: MeetingCheckpoint = { revision: -1, position: 0 };

/**
 * The checkpoints of `projections` for each meeting, from the group's documents, falling back to
 * the legacy per-projection documents for projections a group document does not name yet.
 */
export async function readMeetingCheckpoints(
  reader: ProjectionReader,
  group: string,
  projections: readonly string[],
  meetingIds: readonly string[],
): Promise<Map<string, MeetingCheckpoints>> {
  const docs = await reader.getMany<MeetingCheckpoints>(
    meetingIds.map((key) => ({ collection: MEETING_CHECKPOINTS, partition: group, key })),
  );
  const found = new Map<string, MeetingCheckpoints>();
  const legacy: DocRef[] = [];
  meetingIds.forEach((meetingId, i) => {
    const doc = { ...(docs[i] ?? {}) };
    found.set(meetingId, doc);
    for (const projection of projections)
      if (!doc[projection])
        legacy.push({ collection: LEGACY_CHECKPOINTS, partition: projection, key: meetingId });
  });
  if (legacy.length > 0) {
    const olds = await reader.getMany<MeetingCheckpoint>(legacy);
    legacy.forEach((ref, i) => {
      found.get(ref.key)![ref.partition] = olds[i] ?? NONE;
    });
  }
  return found;
}

export function readPosition(reader: ProjectionReader, projection: string) {
  return reader.get<ProjectionPosition>(POSITIONS, '', projection);
}

/**
 * The checkpoints one batch touches: each meeting's document read once from the transaction,
 * advanced in memory per event, and written once at the end of the batch (a meeting with 500
 * events in a batch costs one checkpoint write, not 500, and a batch of 500 chats in 500 meetings
 * costs 500 reads and 500 writes whatever the number of projections).
 */
export class BatchCheckpoints {
  private meetings = new Map<string, MeetingCheckpoints>();
  private readonly advanced = new Set<string>();
  private readonly positions = new Map<string, number>();

  constructor(
    private readonly tx: ProjectionWriter,
    private readonly group: string,
    private readonly projections: readonly string[],
  ) {}

  /** Reads the checkpoints of every meeting of the batch, in one go. */
  async prefetch(meetingIds: readonly string[]): Promise<void> {
    this.meetings = await readMeetingCheckpoints(this.tx, this.group, this.projections, meetingIds);
  }

  /** The revision a projection applied for a meeting of the batch (prefetched: no I/O per event). */
  revisionOf(projection: string, meetingId: string): number {
    const known = this.meetings.get(meetingId);
    // Only a meeting outside the batch could be missing: re-applying its events is never safe.
    if (!known) throw new Error(`Checkpoint of meeting ${meetingId} was not prefetched for this batch`);
    return (known[projection] ?? NONE).revision;
  }

  advance(projection: string, event: StoredEvent): void {
    const known = this.meetings.get(event.meetingId)!;
    known[projection] = { revision: event.streamRevision, position: event.globalPosition };
    this.advanced.add(event.meetingId);
    this.positions.set(projection, Math.max(this.positions.get(projection) ?? 0, event.globalPosition));
  }

  async write(versionOf: (projection: string) => number): Promise<void> {
    // The whole document: entries of projections outside this runner (a rebuild of some of the
    // group's projections) are written back as they were read.
    for (const meetingId of this.advanced)
      await this.tx.put(MEETING_CHECKPOINTS, this.group, meetingId, this.meetings.get(meetingId)!);
    for (const [projection, position] of this.positions) {
      const stored = await readPosition(this.tx, projection);
      const doc: ProjectionPosition = {
        position: Math.max(stored?.position ?? 0, position),
        version: versionOf(projection),
      };
      await this.tx.put(POSITIONS, '', projection, doc);
    }
  }
}
