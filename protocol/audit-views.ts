import { z } from 'zod';

/**
 * What the audit routes answer (REST views): shared by the server's audit pipeline, the auditor
 * page and tests. Depends on zod only, like every contract in protocol/.
 */

/** What `GET /meetings/{id}/state?at=` answers: the meeting as it stood at one revision. */
const ParticipantAtSchema = z.object({
  participantId: z.string(),
  displayName: z.string(),
  role: z.enum(['host', 'co-host', 'participant']),
  status: z.enum(['waiting', 'joined', 'left', 'denied', 'removed']),
  joinTime: z.string().nullable(),
  leftTime: z.string().nullable(),
  connection: z.object({
    status: z.enum(['connecting', 'connected', 'reconnecting', 'disconnected']),
    node: z.string().nullable(),
  }),
  media: z.object({ audio: z.boolean(), video: z.boolean(), screen: z.boolean() }),
  handRaised: z.boolean(),
  published: z.array(
    z.object({ producerId: z.string(), source: z.string(), kind: z.string(), nodeId: z.string().nullable() }),
  ),
});

export const StateAtSchema = z.object({
  meetingId: z.string(),
  /** Where the replay stopped: the last event applied, and when it was recorded. */
  revision: z.number().int(),
  occurredAt: z.string().nullable(),
  /** What was asked (a revision, a time, or null for the head). */
  requested: z.string().nullable(),
  headRevision: z.number().int(),
  status: z.enum(['none', 'active', 'ended']),
  title: z.string(),
  createdAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  settings: z.object({
    muteOnEntry: z.boolean(),
    videoOffOnEntry: z.boolean(),
    waitingRoom: z.boolean(),
    maxParticipants: z.number(),
    passcodeRequired: z.boolean(),
  }),
  mediaNode: z.string().nullable(),
  /** Joined participants, in order of joining. */
  roster: z.array(ParticipantAtSchema),
  waitingRoom: z.array(ParticipantAtSchema),
  /** Everyone who was there and is not any more (left, denied, removed). */
  departed: z.array(ParticipantAtSchema),
  presenterIds: z.array(z.string()),
  activeSpeakerId: z.string().nullable(),
  /**
   * The meeting's latest recording as its events tell it at this instant (null: never recorded
   * up to here): in progress, being processed, available (with the file's SHA-256) or failed.
   */
  recording: z
    .object({
      recordingId: z.string(),
      status: z.enum(['recording', 'processing', 'available', 'failed']),
      startedAt: z.string(),
      stoppedAt: z.string().nullable(),
      segments: z.number().int(),
      file: z
        .object({ key: z.string(), durationSeconds: z.number(), sizeBytes: z.number(), sha256: z.string() })
        .nullable(),
      failure: z.object({ stage: z.string(), reason: z.string() }).nullable(),
      /** How many recordings the meeting had up to here, this one included. */
      count: z.number().int(),
    })
    .nullable(),
  chat: z.object({
    count: z.number().int(),
    lastMessageId: z.string().nullable(),
    recent: z.array(
      z.object({
        messageId: z.string(),
        senderId: z.string(),
        senderName: z.string(),
        content: z.string(),
        at: z.string(),
        revision: z.number().int(),
      }),
    ),
  }),
});
export type StateAt = z.infer<typeof StateAtSchema>;
export type ParticipantAt = z.infer<typeof ParticipantAtSchema>;

/** One line of a meeting's history as an auditor reads it: who did what to whom, when, where. */
export interface TimelineEntry {
  revision: number;
  at: string;
  type: string;
  schemaVersion: number;
  actor: {
    kind: 'participant' | 'host' | 'system';
    participantId: string | null;
    name: string | null;
    detail: string | null;
  };
  subject: { participantId: string; name: string | null } | null;
  summary: string;
  /**
   * The node the fact names (socket, SFU, placement), else the node the acting participant's
   * socket was on; null for REST and system actions.
   */
  node: string | null;
  hash: string;
}

/** A signed checkpoint as the verdict shows it (domain/audit/checkpoint.ts signs exactly this). */
export interface AuditCheckpointView {
  v: 1;
  meetingId: string;
  streamId: string;
  revision: number;
  hash: string;
  signedAt: string;
  keyId: string;
}

export type AuditFailure =
  | 'hash-mismatch'
  | 'link-broken'
  | 'revision-gap'
  /** The chain holds, but a signed checkpoint names another hash at its revision: rewritten history. */
  | 'checkpoint-mismatch'
  /** A checkpoint names a revision the stream does not have: events were cut off its end. */
  | 'checkpoint-beyond-head'
  /** A checkpoint's signature does not hold for the deployment's key (forged, or another key). */
  | 'signature-invalid';

export interface AuditVerdict {
  intact: boolean;
  events: number;
  head: { revision: number; hash: string } | null;
  /** First revision that does not hold, and why (absent when intact). */
  brokenAt?: number;
  reason?: AuditFailure;
  checkpoints: {
    count: number;
    /** Checkpoints whose signature and hash both hold. */
    verified: number;
    /** The newest verified checkpoint: the history up to it is what the deployment signed. */
    latest: (AuditCheckpointView & { signature: string }) | null;
  };
}
