import type { ProjectionWriter } from '../../domain/ports/projection-store';
import { meetingEventOf } from '../../projections/meeting-event';
import { perTransaction } from '../../projections/per-transaction';
import type { Projection } from '../../projections/projection';
import { BY_MEETING, HEAD, LOG, MEETINGS, appendRecords, writeHead } from './analytics-log';
import { derive, initialAnalyticsState, type DeriveOptions, type MeetingAnalyticsState } from './derive';
import type { AnalyticsRecord } from './records';
import { sequenceRecords, type EnvelopeOptions } from './sequence';

export type AnalyticsOptions = DeriveOptions &
  EnvelopeOptions & {
    /** Sees each event's records as they are written (metrics); a rolled-back batch may show them twice. */
    onRecords?(records: readonly AnalyticsRecord[]): void;
  };

/** The projection's name: its checkpoints and `_positions` entry. */
export const ANALYTICS_PROJECTION = 'analytics';

/**
 * The analytics pipeline's writing step, shaped as a projection so that it runs in its own
 * runner (own bus group, own checkpoint in the same transaction as its data): for each meeting
 * event, derive (pure), sequence (pure), then store the records and the meeting's analytics state.
 * Events already processed are skipped by the runner's checkpoint, so a redelivered batch writes
 * nothing twice and a batch that failed midway is rolled back whole and redone identically.
 */
export function analyticsProjection(options: AnalyticsOptions): Projection {
  return {
    name: ANALYTICS_PROJECTION,
    version: 1,
    collections: [MEETINGS, LOG, BY_MEETING, HEAD],
    async apply(stored, tx: ProjectionWriter) {
      const event = meetingEventOf(stored);
      if (!event) return;
      const states = batchStates(tx);
      const previous =
        states.get(stored.meetingId) ??
        (await tx.get<MeetingAnalyticsState>(MEETINGS, '', stored.meetingId)) ??
        initialAnalyticsState();
      const { state, drafts } = derive(previous, event, stored.occurredAt, options);
      const records = sequenceRecords(drafts, stored, previous.lastSequence, options);
      state.lastSequence = previous.lastSequence + records.length;
      await appendRecords(tx, stored.meetingId, records, { head: 'later' });
      if (records.length > 0) options.onRecords?.(records);
      states.set(stored.meetingId, state);
    },
    // Each meeting's state and the log's head once per batch, as its last event left them.
    async finish(tx) {
      for (const [meetingId, state] of batchStates(tx)) await tx.put(MEETINGS, '', meetingId, state);
      await writeHead(tx);
    },
  };
}

/**
 * The meeting states one batch has moved, by transaction: read from the store at a meeting's
 * first event in the batch and written back once, in `finish`, rather than read and written whole
 * at every event (a meeting's five chats in a batch were five reads and five writes of ~1 KB at 5
 * people, ~20 KB at 100).
 */
const batchStates = perTransaction(() => new Map<string, MeetingAnalyticsState>());
