/** What `GET /meetings/{id}/insights` answers: a meeting's analytics folded for people to look at. */
export interface MeetingInsights {
  meetingId: string;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  peakParticipants: number;
  /** Step series: participants present after each join or leave. */
  participantsOverTime: Array<{ time: string; participants: number }>;
  /** Total talk time per participant, biggest first. */
  talkTime: Array<{ participantId: string; totalMs: number; turns: number }>;
  chat: { total: number; bySender: Array<{ participantId: string; messages: number }> };
  /** Time from asking to join to connected, per participant's first connection. */
  joinToConnected: Array<{ participantId: string; ms: number }>;
  /** From joining to the first remote video frame, as each web client reported it. */
  firstFrame: Array<{ participantId: string; ms: number }>;
  /** Refused or failed joins by error code. */
  joinFailures: Record<string, number>;
  /** Per participant: mean and worst MOS, mean loss and RTT over their quality samples. */
  quality: Array<{
    participantId: string;
    samples: number;
    mosMean: number | null;
    mosWorst: number | null;
    lossPctMean: number | null;
    rttMsMean: number | null;
  }>;
  /** Every quality sample, for lines over time. */
  qualityOverTime: Array<{
    time: string;
    participantId: string;
    mos: number | null;
    rttMs: number | null;
    lossPct: number | null;
  }>;
  records: number;
}
