import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import { meetingStreamId, type StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';
import { Lru } from '../../domain/shared/lru';
import type { HashFn } from '../../domain/shared/hash-chain';
import { auditStream, checkpointsIn, type AuditVerdict } from './chain-audit';
import { checkpointLine, eventLine, headerLine, trailerLine } from './export-format';
import { parseInstant } from './instant';
import { replay, type Replayed } from './replay';
import { emptyIndex, extendIndex, snapshotBefore, type ReplayIndex } from './replay-index';
import { stateAtView, type StateAt } from './state-view';
import { targetRevision } from './target-revision';
import { describeEvent, learnNames, newNameBook, type NameBook, type TimelineEntry } from './timeline';

export interface AuditServiceDeps {
  store: EventStore;
  clock: Clock;
  hashFn: HashFn;
  publicKey: KeyObject;
  keyId: string;
  /** Meetings whose replay index stays in memory (default 32). */
  indexedMeetings?: number;
  /** A snapshot of the state every this many revisions (default 1000). */
  snapshotEvery?: number;
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

  const indexes = new Lru<string, ReplayIndex>(deps.indexedMeetings ?? 32);

  /** The meeting's replay index, brought up to date by reading only what was appended since. */
  async function indexOf(meetingId: string): Promise<ReplayIndex> {
    const index = indexes.get(meetingId) ?? emptyIndex(deps.snapshotEvery ?? 1000);
    extendIndex(
      index,
      await deps.store.readStream(meetingStreamId(meetingId), { fromRevision: index.head + 1 }),
    );
    if (index.head < 0) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
    indexes.set(meetingId, index);
    return index;
  }

  return {
    /**
     * The meeting at an instant: the time → revision index picks the revision, the nearest
     * snapshot at or before it is the starting state, and only the events between the two are
     * read and folded (at most `snapshotEvery`).
     */
    async stateAt(meetingId: string, at: string | undefined): Promise<StateAt> {
      const instant = parseInstant(at);
      const index = await indexOf(meetingId);
      const revision = targetRevision(instant, index, deps.clock.now().getTime());
      if (revision === index.head) return stateAtView(meetingId, index.tip, index.head, at ?? null);
      const from = snapshotBefore(index, revision);
      const start = (from?.revision ?? -1) + 1;
      const between =
        revision >= start
          ? await deps.store.readStream(meetingStreamId(meetingId), {
              fromRevision: start,
              maxCount: revision - start + 1,
            })
          : [];
      return stateAtView(meetingId, replay(between, revision, from), index.head, at ?? null);
    },

    /** Drops what is kept of a meeting (the benchmark measures a cold replay with it). */
    forget(meetingId: string): void {
      indexes.delete(meetingId);
    },

    /**
     * A page of the timeline. Names and nodes are taken from the nearest snapshot before the page
     * (the state knows every participant's name and socket node), so a page reads only the
     * events from that snapshot to its end, not the stream from its start.
     */
    async timeline(meetingId: string, page: { after?: number; limit: number }): Promise<TimelinePage> {
      const index = await indexOf(meetingId);
      const from = Math.max(0, (page.after ?? -1) + 1);
      const snapshot = snapshotBefore(index, from - 1);
      const book = bookOf(snapshot);
      const start = (snapshot?.revision ?? -1) + 1;
      const events =
        from <= index.head
          ? await deps.store.readStream(meetingStreamId(meetingId), {
              fromRevision: start,
              maxCount: from - start + page.limit,
            })
          : [];
      const entries: TimelineEntry[] = [];
      for (const event of events) {
        learnNames(book, event);
        if (event.streamRevision >= from && entries.length < page.limit)
          entries.push(describeEvent(event, book));
      }
      const last = entries[entries.length - 1];
      return {
        entries,
        next: last && last.revision < index.head ? last.revision : null,
        headRevision: index.head,
      };
    },

    async verify(meetingId: string): Promise<AuditVerdict> {
      return auditStream(await readAll(meetingId), deps.hashFn, deps.publicKey);
    },

    /**
     * The export as NDJSON lines (each ending in a newline), read from the store a page at a time
     * so that a long meeting is never held in memory whole. The first page is read before this
     * resolves: an unknown meeting fails here, before anything is sent.
     */
    async exportStream(meetingId: string, pageSize = 1000): Promise<AsyncIterable<string>> {
      const streamId = meetingStreamId(meetingId);
      const first = await deps.store.readStream(streamId, { maxCount: pageSize });
      if (first.length === 0) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
      const header = headerLine({
        meetingId,
        streamId,
        exportedAt: deps.clock.now().toISOString(),
        keyId: deps.keyId,
      });
      async function* lines(): AsyncGenerator<string> {
        yield `${header}\n`;
        let page = first;
        let count = 0;
        const checkpoints: ReturnType<typeof checkpointsIn> = [];
        while (page.length > 0) {
          yield page.map((event) => `${eventLine(event)}\n`).join('');
          count += page.length;
          checkpoints.push(...checkpointsIn(page));
          if (page.length < pageSize) break;
          page = await deps.store.readStream(streamId, { fromRevision: count, maxCount: pageSize });
        }
        for (const signed of checkpoints) yield `${checkpointLine(signed)}\n`;
        yield `${trailerLine(count, checkpoints.length)}\n`;
      }
      return lines();
    },

    /** The whole export as one string (tests, benchmark). */
    async exportText(meetingId: string): Promise<string> {
      let text = '';
      for await (const chunk of await this.exportStream(meetingId)) text += chunk;
      return text;
    },
  };
}

/** Names and socket nodes as a replayed state knows them (an empty book before any snapshot). */
function bookOf(snapshot: Replayed | undefined): NameBook {
  const book = newNameBook();
  for (const p of Object.values(snapshot?.state.participants ?? {})) {
    book.names.set(p.participantId, p.displayName);
    if (p.connectedNode) book.nodes.set(p.participantId, p.connectedNode);
  }
  return book;
}
