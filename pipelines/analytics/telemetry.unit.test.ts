import { describe, expect, it } from 'vitest';
import { initialAnalyticsState, type MeetingAnalyticsState } from './derive';
import { clampReport, MAX_JOIN_FAILURES_PER_WINDOW, takeReport, type TelemetryReport } from './telemetry';

const t0 = Date.parse('2026-12-01T10:00:00Z');
const quality = (report: object): TelemetryReport => ({
  kind: 'quality',
  participantId: 'p1',
  origin: 'client',
  report,
});

/** Feeds reports at the given times; returns the drafts' types (undefined: refused). */
function feed(reports: Array<[number, TelemetryReport]>) {
  let state: MeetingAnalyticsState = initialAnalyticsState();
  return reports.map(([at, report]) => {
    const outcome = takeReport(state, report, at);
    state = outcome.state;
    return outcome.draft;
  });
}

describe('telemetry: quality samples and client reports', () => {
  it('clamps figures no network can produce, and says so', () => {
    expect(
      clampReport({ rttMs: 1e9, lossPct: -3, jitterMs: 4.26, sentKbps: 12.4, receivedKbps: null }),
    ).toEqual({
      rttMs: 10_000,
      lossPct: 0,
      jitterMs: 4.3,
      sentKbps: 12,
      receivedKbps: null,
      clamped: true,
    });
    expect(clampReport({ rttMs: 40 }).clamped).toBe(false);
  });

  it('takes one quality sample per participant and origin per 10 s window, with a MOS', () => {
    const drafts = feed([
      [t0 + 1000, quality({ rttMs: 40, lossPct: 0, jitterMs: 3 })],
      [t0 + 9000, quality({ rttMs: 40 })], // same window: refused
      [t0 + 9000, { kind: 'quality', participantId: 'p1', origin: 'sfu', report: { rttMs: 41 } }], // other origin
      [t0 + 10_000, quality({ rttMs: 60 })], // next window
    ]);
    expect(drafts.map((d) => d?.type)).toEqual([
      'confer.quality.sample.v1',
      undefined,
      'confer.quality.sample.v1',
      'confer.quality.sample.v1',
    ]);
    expect(drafts[0]!.data).toMatchObject({
      windowStart: '2026-12-01T10:00:00.000Z',
      windowMs: 10_000,
      clamped: false,
    });
    expect((drafts[0]!.data as { mos: number }).mos).toBeGreaterThan(4.3);
  });

  it('takes a first frame once per participant', () => {
    const report: TelemetryReport = { kind: 'first-frame', participantId: 'p1', ms: 900 };
    expect(
      feed([
        [t0, report],
        [t0 + 60_000, report],
      ]).map((d) => d?.type),
    ).toEqual(['confer.first-frame.v1', undefined]);
  });

  it('records join failures up to a bound per window, then counts only', () => {
    const failures = Array.from(
      { length: MAX_JOIN_FAILURES_PER_WINDOW + 5 },
      (_, i): [number, TelemetryReport] => [
        t0 + i,
        { kind: 'join-failure', code: 'CONFER_PASSCODE_INVALID', requestId: `r${i}` },
      ],
    );
    const drafts = feed([
      ...failures,
      [t0 + 10_000, { kind: 'join-failure', code: 'CONFER_MEETING_FULL', requestId: 'late' }],
    ]);
    expect(drafts.filter(Boolean)).toHaveLength(MAX_JOIN_FAILURES_PER_WINDOW + 1);
    expect(drafts.at(-1)?.data).toEqual({ code: 'CONFER_MEETING_FULL' });
  });
});
