import { z } from 'zod';

export const RecordingStatusSchema = z.enum(['recording', 'processing', 'available', 'failed']);
const StatusSchema = RecordingStatusSchema;

/** A recording as `GET /meetings/{id}/recordings` lists it (shared by the server and the web client). */
export const RecordingViewSchema = z.object({
  recordingId: z.string(),
  status: StatusSchema,
  startedAt: z.string(),
  stoppedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  /** 0..1 while processing; 1 once available. */
  progress: z.number().nullable(),
  stage: z.string().nullable(),
  segments: z.number(),
  failure: z.object({ stage: z.string(), reason: z.string() }).nullable(),
  /** Pre-signed (S3) or signed for this server (local files), valid for a limited time. */
  downloadUrl: z.string().nullable(),
});
export type RecordingView = z.infer<typeof RecordingViewSchema>;
