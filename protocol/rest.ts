import { z } from 'zod';
import { safeText } from '../domain/shared/text';

/**
 * Answers of the REST API that clients rely on, as zod schemas: the routes declare them as their
 * response schemas (so the OpenAPI document and the serializer follow them) and clients take
 * their types from here (`z.infer`), so neither side re-declares them.
 */
export const CreateMeetingAnswerSchema = z.object({
  meetingId: z.string(),
  joinUrl: z.string(),
  hostToken: z.string(),
});
export type CreateMeetingAnswer = z.infer<typeof CreateMeetingAnswerSchema>;

export const IceServerSchema = z.object({
  urls: z.array(z.string()),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** POST /meetings/{id}/join: the design's `{participantId, webSocketUrl, iceServers}`, and the token. */
export const JoinAnswerSchema = z.object({
  participantId: z.string(),
  status: z.enum(['joined', 'waiting']),
  role: z.enum(['host', 'participant']),
  webSocketUrl: z.string(),
  iceServers: z.array(IceServerSchema),
  token: z.string(),
  /** Whether the meeting is being recorded now: the person is told before entering. */
  recording: z.boolean(),
});
export type JoinAnswer = z.infer<typeof JoinAnswerSchema>;

// ── Requests ───────────────────────────────────────────────────────────────────

/**
 * Passcodes: at least 8 characters. With the passcode lockouts a guesser gets under 300 tries a
 * day per meeting, so even 8 digits (10^8) hold for centuries; 4 digits fell in 450 tries.
 */
export const MIN_PASSCODE_LENGTH = 8;

/** POST /meetings. */
export const CreateMeetingBodySchema = z
  .object({
    /** Trimmed first: a title of only whitespace is empty, hence refused. */
    title: safeText({ max: 200, trim: true }),
    startTime: z.iso.datetime({ offset: true }).optional(),
    hostUserId: safeText({ max: 200 }).optional(),
    settings: z
      .object({
        muteOnEntry: z.boolean().default(false),
        videoOffOnEntry: z.boolean().default(false),
        waitingRoom: z.boolean().default(false),
        maxParticipants: z.number().int().min(2).max(500).default(100),
        passcode: safeText({ max: 64, min: MIN_PASSCODE_LENGTH })
          // Not one character repeated ("aaaaaaaa"): a pattern, so the OpenAPI document says it too.
          .regex(/^(?!(.)\1*$)/, 'must not repeat one character')
          .optional(),
      })
      .strict()
      .default({ muteOnEntry: false, videoOffOnEntry: false, waitingRoom: false, maxParticipants: 100 }),
  })
  .strict();
/** What a client sends (defaults may be left out). */
export type CreateMeetingRequest = z.input<typeof CreateMeetingBodySchema>;

/** POST /meetings/{id}/join. */
export const JoinBodySchema = z
  .object({
    displayName: safeText({ max: 100, trim: true }),
    userId: safeText({ max: 200 }).optional(),
    passcode: z.string().max(64).optional(),
    /**
     * The browser's stable id (the web client keeps a random one in local storage): a removal
     * bars it, and knocking again after a denial is slowed down by it.
     */
    deviceId: safeText({ max: 100 }).optional(),
    audioEnabled: z.boolean().default(true),
    videoEnabled: z.boolean().default(true),
  })
  .strict();
export type JoinRequest = z.input<typeof JoinBodySchema>;

// ── Views ──────────────────────────────────────────────────────────────────────

/** The seed's participant fields, plus role, hand and screen state. */
export const ParticipantRecordSchema = z.object({
  participantId: z.string(),
  displayName: z.string(),
  userId: z.string().nullable(),
  role: z.enum(['host', 'co-host', 'participant']),
  status: z.enum(['waiting', 'joined', 'left', 'denied', 'removed']),
  joinTime: z.string().nullable(),
  connectionStatus: z.enum(['connecting', 'connected', 'reconnecting', 'disconnected']),
  audioEnabled: z.boolean(),
  videoEnabled: z.boolean(),
  screenSharing: z.boolean(),
  handRaised: z.boolean(),
});
export type ParticipantRecord = z.infer<typeof ParticipantRecordSchema>;

/** The record's fields of anything that has them (the meeting's state, the roster's document): no more. */
export const participantRecordOf = (p: ParticipantRecord): ParticipantRecord => ({
  participantId: p.participantId,
  displayName: p.displayName,
  userId: p.userId,
  role: p.role,
  status: p.status,
  joinTime: p.joinTime,
  connectionStatus: p.connectionStatus,
  audioEnabled: p.audioEnabled,
  videoEnabled: p.videoEnabled,
  screenSharing: p.screenSharing,
  handRaised: p.handRaised,
});

const MeetingRulesSchema = z.object({
  muteOnEntry: z.boolean(),
  videoOffOnEntry: z.boolean(),
  waitingRoom: z.boolean(),
  passcodeRequired: z.boolean(),
});

/** GET /meetings/{id} for those in the meeting (its host, participants, operators). */
export const MeetingViewSchema = z.object({
  meetingId: z.string(),
  title: z.string(),
  host: z.object({ userId: z.string().nullable(), participantIds: z.array(z.string()) }),
  participants: z.array(ParticipantRecordSchema),
  status: z.enum(['active', 'ended']),
  startTime: z.string().nullable(),
  createdAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  participantCount: z.number(),
  settings: MeetingRulesSchema.extend({ maxParticipants: z.number() }),
});
export type MeetingView = z.infer<typeof MeetingViewSchema>;

/** GET /meetings/{id} for anyone with the link: what a pre-join page needs, nothing about who is in it. */
export const MeetingSummaryViewSchema = z.object({
  meetingId: z.string(),
  title: z.string(),
  status: z.enum(['active', 'ended']),
  settings: MeetingRulesSchema,
});
export type MeetingSummaryView = z.infer<typeof MeetingSummaryViewSchema>;

/** GET /meetings: a page of meetings (operators: all; users: those they host). */
export const MeetingListAnswerSchema = z.object({
  meetings: z.array(MeetingViewSchema.omit({ participants: true })),
  nextCursor: z.string().nullable(),
});
export type MeetingListAnswer = z.infer<typeof MeetingListAnswerSchema>;

/** Either view: which one depends on who asks. */
export const MeetingInfoSchema = z.union([MeetingViewSchema, MeetingSummaryViewSchema]);
export type MeetingInfo = z.infer<typeof MeetingInfoSchema>;
/** Whether the caller was shown the full view (only those in the meeting are). */
export const isMeetingView = (info: MeetingInfo): info is MeetingView => 'participants' in info;

/** GET /meetings/{id}/participants: everyone who is or was in the meeting. */
export const ParticipantsAnswerSchema = z.object({ participants: z.array(ParticipantRecordSchema) });
export type ParticipantsAnswer = z.infer<typeof ParticipantsAnswerSchema>;

/** GET /meetings/{id}/chat: a page of history, newest first; `nextBefore` is the cursor of the next page. */
export const ChatPageSchema = z.object({
  messages: z.array(
    z.object({
      messageId: z.string(),
      from: z.string(),
      fromName: z.string(),
      message: z.string(),
      timestamp: z.string(),
      seq: z.number(),
    }),
  ),
  nextBefore: z.number().nullable(),
});
export type ChatPage = z.infer<typeof ChatPageSchema>;

/** GET /meetings/{id}/connection: where to (re)connect. */
export const ConnectionAnswerSchema = z.object({
  webSocketUrl: z.string(),
  iceServers: z.array(IceServerSchema),
});
export type ConnectionAnswer = z.infer<typeof ConnectionAnswerSchema>;

/** The design's `{ success }` answer of host actions and leave. */
export const SuccessAnswerSchema = z.object({ success: z.boolean() });
