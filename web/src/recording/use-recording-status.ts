import { useEffect, useState } from 'preact/hooks';
import { recordingApi } from './recording-api';

const POLL_MS = 3000;

/**
 * Whether the meeting is being recorded, kept fresh by polling (what anyone with the link may
 * know). `refresh` re-reads at once, after the host started or stopped it. In a meeting, `pushed`
 * is the recording in progress as the join answer and the recording broadcasts said: it wins
 * over a poll that has not caught up yet.
 */
export function useRecordingStatus(
  meetingId: string,
  pushed?: string | null,
): {
  recording: boolean;
  recordingId: string | null;
  refresh(): void;
} {
  const [status, setStatus] = useState<{ recording: boolean; recordingId: string | null }>({
    recording: false,
    recordingId: null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const read = () =>
      recordingApi.status(meetingId).then(
        (s) => live && setStatus(s),
        () => undefined,
      );
    void read();
    const timer = setInterval(read, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [meetingId, tick, pushed]);
  const known = pushed !== undefined ? { recording: pushed !== null, recordingId: pushed } : status;
  return { ...known, refresh: () => setTick((t) => t + 1) };
}
