import type { AnalyticsRecord } from './records';

/**
 * Stage for people, pure: a meeting's records, folded into what its insights page draws (the view
 * is a REST contract, in protocol/). Reads only the published records, so the page shows what
 * analysts get, never something else.
 */
export type { MeetingInsights } from '../../protocol/insights-view';
import type { MeetingInsights } from '../../protocol/insights-view';

const mean = (values: number[]) =>
  values.length === 0 ? null : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;

export function insightsOf(meetingId: string, records: readonly AnalyticsRecord[]): MeetingInsights {
  const insights: MeetingInsights = {
    meetingId,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    peakParticipants: 0,
    participantsOverTime: [],
    talkTime: [],
    chat: { total: 0, bySender: [] },
    joinToConnected: [],
    firstFrame: [],
    joinFailures: {},
    quality: [],
    qualityOverTime: [],
    records: records.length,
  };
  const talk = new Map<string, { totalMs: number; turns: number }>();
  const chat = new Map<string, number>();
  const quality = new Map<string, { mos: number[]; loss: number[]; rtt: number[]; samples: number }>();
  for (const record of records) {
    switch (record.type) {
      case 'confer.meeting.started.v1':
        insights.startedAt = record.time;
        insights.participantsOverTime.push({ time: record.time, participants: 0 });
        break;
      case 'confer.meeting.ended.v1':
        insights.endedAt = record.time;
        insights.durationMs = record.data.durationMs;
        break;
      case 'confer.participant.joined.v1':
      case 'confer.participant.left.v1':
        insights.participantsOverTime.push({ time: record.time, participants: record.data.participantsNow });
        insights.peakParticipants = Math.max(insights.peakParticipants, record.data.participantsNow);
        break;
      case 'confer.participant.connected.v1':
        if (record.data.joinToConnectedMs !== null)
          insights.joinToConnected.push({
            participantId: record.data.participantId,
            ms: record.data.joinToConnectedMs,
          });
        break;
      case 'confer.first-frame.v1':
        insights.firstFrame.push({ participantId: record.data.participantId, ms: record.data.ms });
        break;
      case 'confer.join.failed.v1':
        insights.joinFailures[record.data.code] = (insights.joinFailures[record.data.code] ?? 0) + 1;
        break;
      case 'confer.talk-time.updated.v1': {
        const t = talk.get(record.data.participantId) ?? { totalMs: 0, turns: 0 };
        talk.set(record.data.participantId, { totalMs: record.data.totalMs, turns: t.turns + 1 });
        break;
      }
      case 'confer.talk-time.final.v1':
        talk.set(record.data.participantId, { totalMs: record.data.totalMs, turns: record.data.turns });
        break;
      case 'confer.chat.message.v1':
        insights.chat.total += 1;
        chat.set(record.data.senderId, (chat.get(record.data.senderId) ?? 0) + 1);
        break;
      case 'confer.quality.sample.v1': {
        const q = quality.get(record.data.participantId) ?? { mos: [], loss: [], rtt: [], samples: 0 };
        q.samples += 1;
        if (record.data.mos !== null) q.mos.push(record.data.mos);
        if (record.data.lossPct !== null) q.loss.push(record.data.lossPct);
        if (record.data.rttMs !== null) q.rtt.push(record.data.rttMs);
        quality.set(record.data.participantId, q);
        insights.qualityOverTime.push({
          time: record.time,
          participantId: record.data.participantId,
          mos: record.data.mos,
          rttMs: record.data.rttMs,
          lossPct: record.data.lossPct,
        });
        break;
      }
      default:
        break;
    }
  }
  insights.talkTime = [...talk]
    .map(([participantId, t]) => ({ participantId, ...t }))
    .sort((a, b) => b.totalMs - a.totalMs || a.participantId.localeCompare(b.participantId));
  insights.chat.bySender = [...chat]
    .map(([participantId, messages]) => ({ participantId, messages }))
    .sort((a, b) => b.messages - a.messages || a.participantId.localeCompare(b.participantId));
  insights.quality = [...quality].map(([participantId, q]) => ({
    participantId,
    samples: q.samples,
    mosMean: mean(q.mos),
    mosWorst: q.mos.length > 0 ? Math.min(...q.mos) : null,
    lossPctMean: mean(q.loss),
    rttMsMean: mean(q.rtt),
  }));
  return insights;
}
