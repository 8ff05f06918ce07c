/**
 * Where a recording's objects live in the object store, shared by the SFU's recorder (which
 * writes them) and the pipeline (which reads them). A track is one capture of one producer
 * (a recorder restarted elsewhere starts a new track). Nothing under a recording's prefix is
 * deleted by the product: segments stay after the file is made (retention is the operator's).
 */
export const recordingPrefix = (meetingId: string, recordingId: string) =>
  `recordings/${meetingId}/${recordingId}/`;

export const trackPrefix = (meetingId: string, recordingId: string, trackId: string) =>
  `${recordingPrefix(meetingId, recordingId)}tracks/${trackId}/`;

export const segmentKey = (meetingId: string, recordingId: string, trackId: string, sequence: number) =>
  `${trackPrefix(meetingId, recordingId, trackId)}seg_${String(sequence).padStart(5, '0')}.mkv`;

/** Timing of the track (first packet, sender reports), rewritten as segments close: for alignment. */
export const syncKey = (meetingId: string, recordingId: string, trackId: string) =>
  `${trackPrefix(meetingId, recordingId, trackId)}sync.json`;

export const fileKey = (meetingId: string, recordingId: string) =>
  `${recordingPrefix(meetingId, recordingId)}meeting.mp4`;
