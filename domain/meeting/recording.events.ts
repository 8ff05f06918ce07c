import { z } from 'zod';

/**
 * Recording's facts, part of the meeting's stream (meeting.events.ts spreads them in), so the file
 * people download is tied to the meeting's history and its hash chain. Released schemas are never
 * edited: a change is a new version plus an upcaster.
 */
const id = z.string().min(1);
export const RecordingIdSchema = z.string().regex(/^rec_[A-Za-z0-9_-]{8,64}$/, 'not a recording id');

/** Where a recording job can fail; `sweeper`: nothing happened for too long, so it was ended. */
export const RecordingStageSchema = z.enum(['capture', 'fetch', 'align', 'compose', 'upload', 'sweeper']);
export type RecordingStage = z.infer<typeof RecordingStageSchema>;

/** Which track of whose a recorder captures: `trackId` names its objects (one producer, one file series). */
export const RecordedTrackFields = {
  trackId: id,
  participantId: id,
  source: z.enum(['microphone', 'camera', 'screen']),
  kind: z.enum(['audio', 'video']),
};

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256');

export const RecordingEventSchemas = {
  /** The host started recording; the SFU hosting the meeting begins capturing every track. */
  RecordingStarted: { 1: z.object({ recordingId: RecordingIdSchema }) },
  /** Capture ended; the recording is now processed into one file. */
  RecordingStopped: {
    1: z.object({
      recordingId: RecordingIdSchema,
      reason: z.enum(['host-stopped', 'meeting-ended', 'swept']),
    }),
  },
  /**
   * One closed segment of one track is safely in the object store (written whole): what survives
   * a crash of the recording node. `trackId` names the track's objects (one producer, one file series).
   */
  RecordingSegmentStored: {
    1: z.object({
      recordingId: RecordingIdSchema,
      ...RecordedTrackFields,
      sequence: z.number().int().min(0),
      key: z.string().min(1),
      sizeBytes: z.number().int().min(0),
    }),
  },
  /**
   * A recorder began capturing one track of the recording (one producer on one node); its segments
   * follow as RecordingSegmentStored, and RecordingTrackClosed ends it. Announced so that the file
   * is made once every track is whole, not when the store has been quiet for a while.
   */
  RecordingTrackStarted: {
    1: z.object({ recordingId: RecordingIdSchema, ...RecordedTrackFields }),
  },
  /** A recorder closed its track: every one of its `segments` segments is stored and recorded. */
  RecordingTrackClosed: {
    1: z.object({
      recordingId: RecordingIdSchema,
      trackId: id,
      segments: z.number().int().min(0),
    }),
  },
  /** The composed file is stored; `sha256` is the file's hash, so the history vouches for the file. */
  RecordingAvailable: {
    1: z.object({
      recordingId: RecordingIdSchema,
      key: z.string().min(1),
      contentType: z.string().min(1),
      durationSeconds: z.number().min(0),
      sizeBytes: z.number().int().min(0),
      sha256: Sha256,
    }),
  },
  /** The recording could not be produced; what was stored is kept (nothing recorded is deleted). */
  RecordingFailed: {
    1: z.object({
      recordingId: RecordingIdSchema,
      stage: RecordingStageSchema,
      reason: z.string().min(1).max(2000),
    }),
  },
} as const;
