import type { RecordingStage } from './recording.events';

export type RecordingStatus = 'recording' | 'processing' | 'available' | 'failed';

/** One recording of a meeting, as its events tell it. */
export interface RecordingState {
  recordingId: string;
  status: RecordingStatus;
  startedAt: string;
  stoppedAt: string | null;
  /** Segments safely stored, and when the last one was (what the sweeper watches while recording). */
  segments: number;
  lastActivityAt: string;
  /** The tracks recorders announced, by track id: still capturing, or closed with every segment stored. */
  tracks: Record<string, 'open' | 'closed'>;
  file: {
    key: string;
    contentType: string;
    durationSeconds: number;
    sizeBytes: number;
    sha256: string;
  } | null;
  failure: { stage: RecordingStage; reason: string } | null;
}
