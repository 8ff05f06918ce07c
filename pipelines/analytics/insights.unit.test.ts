import { describe, expect, it } from 'vitest';
import { insightsOf } from './insights';
import type { RecordDraft } from './records';
import { sequenceRecords } from './sequence';

const options = { source: 's', schemaBase: 'b' };
/** Records as the pipeline would publish them, the n-th at second n. */
function records(drafts: RecordDraft[]) {
  return drafts.flatMap((draft, i) =>
    sequenceRecords(
      [draft],
      {
        eventId: `e${i}`,
        meetingId: 'm1',
        occurredAt: new Date(Date.UTC(2026, 0, 1, 10, 0, i)).toISOString(),
        globalPosition: i + 1,
      },
      i,
      options,
    ),
  );
}
const d = (type: RecordDraft['type'], data: object): RecordDraft =>
  ({ type, discriminator: '', data }) as RecordDraft;

describe('meeting insights from the published records', () => {
  it('folds participants, talk time, chat, first frames, join failures and quality into what the page draws', () => {
    const insights = insightsOf(
      'm1',
      records([
        d('confer.meeting.started.v1', { waitingRoom: false, maxParticipants: 10, scheduledStart: null }),
        d('confer.participant.joined.v1', {
          participantId: 'a',
          role: 'host',
          audioEnabled: true,
          videoEnabled: true,
          participantsNow: 1,
        }),
        d('confer.participant.joined.v1', {
          participantId: 'b',
          role: 'participant',
          audioEnabled: true,
          videoEnabled: true,
          participantsNow: 2,
        }),
        d('confer.participant.connected.v1', {
          participantId: 'b',
          joinToConnectedMs: 1200,
          reconnected: false,
        }),
        d('confer.first-frame.v1', { participantId: 'b', ms: 1800 }),
        d('confer.join.failed.v1', { code: 'CONFER_PASSCODE_INVALID' }),
        d('confer.talk-time.updated.v1', { participantId: 'a', turnMs: 5000, totalMs: 5000 }),
        d('confer.talk-time.updated.v1', { participantId: 'b', turnMs: 9000, totalMs: 9000 }),
        d('confer.chat.message.v1', {
          messageId: 'x',
          senderId: 'b',
          length: 3,
          senderMessageCount: 1,
          meetingMessageCount: 1,
          content: null,
        }),
        d('confer.quality.sample.v1', {
          participantId: 'b',
          origin: 'client',
          windowStart: '2026-01-01T10:00:00.000Z',
          windowMs: 10_000,
          rttMs: 40,
          lossPct: 1,
          jitterMs: 5,
          sentKbps: 900,
          receivedKbps: 1200,
          mos: 4.2,
          clamped: false,
        }),
        d('confer.quality.sample.v1', {
          participantId: 'b',
          origin: 'sfu',
          windowStart: '2026-01-01T10:00:10.000Z',
          windowMs: 10_000,
          rttMs: 60,
          lossPct: 3,
          jitterMs: 9,
          sentKbps: 900,
          receivedKbps: 1200,
          mos: 3.8,
          clamped: false,
        }),
        d('confer.participant.left.v1', {
          participantId: 'a',
          reason: 'left',
          timeInMeetingMs: 11_000,
          talkTimeMs: 5000,
          participantsNow: 1,
        }),
        d('confer.meeting.ended.v1', {
          reason: 'host-ended',
          durationMs: 13_000,
          peakParticipants: 2,
          participantsTotal: 2,
          chatMessages: 1,
        }),
        d('confer.talk-time.final.v1', { participantId: 'a', totalMs: 5000, turns: 1 }),
        d('confer.talk-time.final.v1', { participantId: 'b', totalMs: 9000, turns: 1 }),
      ]),
    );
    expect(insights).toMatchObject({
      durationMs: 13_000,
      peakParticipants: 2,
      talkTime: [
        { participantId: 'b', totalMs: 9000, turns: 1 },
        { participantId: 'a', totalMs: 5000, turns: 1 },
      ],
      chat: { total: 1, bySender: [{ participantId: 'b', messages: 1 }] },
      joinToConnected: [{ participantId: 'b', ms: 1200 }],
      firstFrame: [{ participantId: 'b', ms: 1800 }],
      joinFailures: { CONFER_PASSCODE_INVALID: 1 },
      quality: [{ participantId: 'b', samples: 2, mosMean: 4, mosWorst: 3.8, lossPctMean: 2, rttMsMean: 50 }],
    });
    expect(insights.participantsOverTime.map((p) => p.participants)).toEqual([0, 1, 2, 1]);
    expect(insights.qualityOverTime).toHaveLength(2);
  });
});
