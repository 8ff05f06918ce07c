import { z } from 'zod';
import { RecordedTrackFields, RecordingIdSchema, RecordingStageSchema } from './recording.events';

const id = z.string().min(1);

/**
 * Recording commands. Start and stop are the host's; the rest are the platform's (`system`
 * actor): the SFU reporting the tracks it records and their stored segments, the pipeline reporting the file or the failure.
 */
export const RecordingCommandSchemas = [
  z.object({ type: z.literal('StartRecording'), recordingId: RecordingIdSchema }),
  z.object({ type: z.literal('StopRecording'), recordingId: RecordingIdSchema }),
  z.object({
    type: z.literal('StoreRecordingSegment'),
    recordingId: RecordingIdSchema,
    ...RecordedTrackFields,
    sequence: z.number().int().min(0),
    key: z.string().min(1),
    sizeBytes: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('StartRecordingTrack'),
    recordingId: RecordingIdSchema,
    ...RecordedTrackFields,
  }),
  z.object({
    type: z.literal('CloseRecordingTrack'),
    recordingId: RecordingIdSchema,
    trackId: id,
    segments: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('CompleteRecording'),
    recordingId: RecordingIdSchema,
    key: z.string().min(1),
    contentType: z.string().min(1),
    durationSeconds: z.number().min(0),
    sizeBytes: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  z.object({
    type: z.literal('FailRecording'),
    recordingId: RecordingIdSchema,
    stage: RecordingStageSchema,
    reason: z.string().min(1).max(2000),
  }),
  /** The sweeper: a recording nothing has happened to for too long is ended (stopped, or failed). */
  z.object({
    type: z.literal('SweepRecording'),
    recordingId: RecordingIdSchema,
    reason: z.string().min(1).max(2000),
  }),
] as const;
