import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import { meetingStreamId, type StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import type { HashFn } from '../../domain/shared/hash-chain';
import { auditStream, checkpointsIn, type AuditVerdict } from './chain-audit';
import { checkpointLine, eventLine, headerLine, trailerLine } from './export-format';
import { parseInstant } from './instant';
import { replay } from './replay';
import { stateAtView, type StateAt } from './state-view';
import { targetRevision } from './target-revision';
import { describeEvent, learnNames, type TimelineEntry } from './timeline';

export interface AuditServiceDeps {
  store: EventStore;
  clock: Clock;
  hashFn: HashFn;
  publicKey: KeyObject;
  keyId: string;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Pass as `after` for the next page; null at the stream's head. */
  next: number | null;
  headRevision: number;
}

export type AuditService = ReturnType<typeof createAuditService>;

/** The audit read side: replay to an instant, timeline, verification and export of one meeting. */
export function createAuditService(deps: AuditServiceDeps) {
  async function readAll(meetingId: string, maxCount?: number): Promise<StoredEvent[]> {
    const events = await deps.store.readStream(meetingStreamId(meetingId), maxCount ? { maxCount } : {});
    if (events.length === 0) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
    return events;
  }

  return {
    async stateAt(meetingId: string, at: string | undefined): Promise<StateAt> {
      const instant = parseInstant(at);
      const events = await readAll(meetingId);
      const revision = targetRevision(instant, { events, nowMs: deps.clock.now().getTime() });
      return stateAtView(meetingId, replay(events, revision), events.length - 1, at ?? null);
    },

    async timeline(meetingId: string, page: { after?: number; limit: number }): Promise<TimelinePage> {
      const events = await readAll(meetingId);
      const names = new Map<string, string>();
      const entries: TimelineEntry[] = [];
      const from = (page.after ?? -1) + 1;
      for (const event of events) {
        learnNames(names, event);
        if (event.streamRevision < from) continue;
        if (entries.length === page.limit) break;
        entries.push(describeEvent(event, names));
      }
      const last = entries[entries.length - 1];
      const head = events.length - 1;
      return { entries, next: last && last.revision < head ? last.revision : null, headRevision: head };
    },

    async verify(meetingId: string): Promise<AuditVerdict> {
      return auditStream(await readAll(meetingId), deps.hashFn, deps.publicKey);
    },

    /** The export, line by line (NDJSON without the newlines). */
    async exportLines(meetingId: string): Promise<string[]> {
      const events = await readAll(meetingId);
      const checkpoints = checkpointsIn(events);
      return [
        headerLine({
          meetingId,
          streamId: meetingStreamId(meetingId),
          exportedAt: deps.clock.now().toISOString(),
          keyId: deps.keyId,
        }),
        ...events.map(eventLine),
        ...checkpoints.map(checkpointLine),
        trailerLine(events.length, checkpoints.length),
      ];
    },
  };
}
