import { z } from 'zod';

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
