import { z } from 'zod';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import { MEETINGS, appendRecords } from './analytics-log';
import { initialAnalyticsState, type MeetingAnalyticsState } from './derive';
import { mosOf } from './mos';
import type { RecordDraft } from './records';
import { sequenceRecords, type EnvelopeOptions } from './sequence';

/**
 * Quality samples and client reports: not meeting events (they would crowd the meeting's stream
 * and every consumer of it), but records of the same stream. They take a durable path of their
 * own: one projection-store transaction reads the meeting's analytics state, appends the sequenced
 * record to the log and writes the state back, so they are ordered and numbered with the meeting's
 * other records and survive a restart like them.
 *
 * Volume is bounded by the window: one sample per participant, per origin (SFU, client), per 10 s.
 * A report in a window already sampled is refused (rate-limited), and the id derives from the
 * window, so a retried report can never publish a second id for the same window.
 */
export const QUALITY_WINDOW_MS = 10_000;

/** What a network can produce; beyond it a figure is a bug or a lie, and is clamped. */
const LIMITS = { rttMs: 10_000, lossPct: 100, jitterMs: 5_000, kbps: 1_000_000 } as const;

const figure = z.number().finite().nullable().optional();
/** A client's report, as the browser's getStats summarised it (strict: unknown fields refused). */
export const QualityReportSchema = z
  .object({
    rttMs: figure,
    lossPct: figure,
    jitterMs: figure,
    sentKbps: figure,
    receivedKbps: figure,
  })
  .strict();
export type QualityReport = z.infer<typeof QualityReportSchema>;

export const FirstFrameReportSchema = z.object({ ms: z.number().int().min(0).max(600_000) }).strict();

export interface ClampedReport {
  rttMs: number | null;
  lossPct: number | null;
  jitterMs: number | null;
  sentKbps: number | null;
  receivedKbps: number | null;
  clamped: boolean;
}

/** Pure: keeps every figure within what a network can produce, rounded, and says if it had to. */
export function clampReport(report: QualityReport): ClampedReport {
  let clamped = false;
  const fit = (value: number | null | undefined, max: number, digits = 1): number | null => {
    if (value === null || value === undefined) return null;
    const bounded = Math.min(max, Math.max(0, value));
    if (bounded !== value) clamped = true;
    return Math.round(bounded * 10 ** digits) / 10 ** digits;
  };
  const result = {
    rttMs: fit(report.rttMs, LIMITS.rttMs),
    lossPct: fit(report.lossPct, LIMITS.lossPct, 2),
    jitterMs: fit(report.jitterMs, LIMITS.jitterMs),
    sentKbps: fit(report.sentKbps, LIMITS.kbps, 0),
    receivedKbps: fit(report.receivedKbps, LIMITS.kbps, 0),
  };
  return { ...result, clamped };
}

export const windowStartOf = (nowMs: number) => Math.floor(nowMs / QUALITY_WINDOW_MS) * QUALITY_WINDOW_MS;

export type TelemetryReport =
  | { kind: 'quality'; participantId: string; origin: 'sfu' | 'client'; report: QualityReport }
  | { kind: 'first-frame'; participantId: string; ms: number }
  /** `requestId` tells failures apart (the request's correlation id). */
  | { kind: 'join-failure'; code: string; requestId: string };

/** Join failures recorded per meeting per window; beyond, they are only counted (metrics). */
export const MAX_JOIN_FAILURES_PER_WINDOW = 20;

export interface TelemetryOutcome {
  state: MeetingAnalyticsState;
  draft: RecordDraft | undefined;
  /** Identifies the report's slot (the source of its deterministic id). */
  slot: string;
}

/** Pure: whether the report takes a free slot, and the record it makes. */
export function takeReport(
  state: MeetingAnalyticsState,
  report: TelemetryReport,
  nowMs: number,
): TelemetryOutcome {
  const next = structuredClone(state);
  const slots = ((next['telemetrySlots'] as Record<string, number> | undefined) ??= {});
  if (report.kind === 'join-failure') {
    const windowStart = windowStartOf(nowMs);
    const countKey = `join-failures:${windowStart}`;
    const slot = `join-failure:${report.requestId}`;
    const count = slots[countKey] ?? 0;
    // Each failure is its own request: its id is the slot, so nothing per request is kept.
    if (count >= MAX_JOIN_FAILURES_PER_WINDOW) return { state, draft: undefined, slot };
    // Only the current window's count is kept: older ones are dropped as the window moves.
    for (const key of Object.keys(slots)) if (key.startsWith('join-failures:')) delete slots[key];
    slots[countKey] = count + 1;
    return {
      state: next,
      slot,
      draft: { type: 'confer.join.failed.v1', discriminator: '', data: { code: report.code } },
    };
  }
  if (report.kind === 'first-frame') {
    const slot = `${report.participantId}:first-frame`;
    if (slots[slot] !== undefined) return { state, draft: undefined, slot };
    slots[slot] = nowMs;
    return {
      state: next,
      slot,
      draft: {
        type: 'confer.first-frame.v1',
        discriminator: '',
        data: { participantId: report.participantId, ms: report.ms },
      },
    };
  }
  const windowStart = windowStartOf(nowMs);
  const key = `${report.participantId}:${report.origin}`;
  const slot = `${key}:${windowStart}`;
  if ((slots[key] ?? -1) >= windowStart) return { state, draft: undefined, slot };
  slots[key] = windowStart;
  const figures = clampReport(report.report);
  return {
    state: next,
    slot,
    draft: {
      type: 'confer.quality.sample.v1',
      discriminator: '',
      data: {
        participantId: report.participantId,
        origin: report.origin,
        windowStart: new Date(windowStart).toISOString(),
        windowMs: QUALITY_WINDOW_MS,
        ...figures,
        mos: mosOf(figures),
      },
    },
  };
}

/**
 * Records one report; false when its slot was taken already (the caller answers "rate limited").
 * Every figure was validated by QualityReportSchema at the edge; here it is clamped, scored and
 * sequenced.
 */
export async function recordTelemetry(
  store: ProjectionStore,
  meetingId: string,
  report: TelemetryReport,
  nowMs: number,
  options: EnvelopeOptions,
): Promise<boolean> {
  return store.transaction(async (tx) => {
    const previous =
      (await tx.get<MeetingAnalyticsState>(MEETINGS, '', meetingId)) ?? initialAnalyticsState();
    const { state, draft, slot } = takeReport(previous, report, nowMs);
    if (!draft) return false;
    const records = sequenceRecords(
      [draft],
      {
        eventId: `telemetry:${meetingId}:${slot}`,
        meetingId,
        occurredAt: new Date(nowMs).toISOString(),
        globalPosition: null,
      },
      previous.lastSequence,
      options,
    );
    state.lastSequence = previous.lastSequence + records.length;
    await appendRecords(tx, meetingId, records);
    await tx.put(MEETINGS, '', meetingId, state);
    return true;
  });
}
