import type { MeetingEvent } from '../../domain/meeting/meeting.events';

/** A meeting event with its time, as the plan reads it. */
export interface TimedEvent {
  event: MeetingEvent;
  occurredAt: string;
}

export interface SegmentRef {
  sequence: number;
  key: string;
}

export interface TrackPlan {
  trackId: string;
  participantId: string;
  displayName: string;
  source: 'microphone' | 'camera' | 'screen';
  kind: 'audio' | 'video';
  /** In sequence order, each once (a segment reported twice is one segment). */
  segments: SegmentRef[];
}

export interface Chapter {
  startSeconds: number;
  title: string;
}

export interface Caption {
  startSeconds: number;
  endSeconds: number;
  text: string;
}

export interface RecordingPlan {
  recordingId: string;
  startedAtMs: number;
  stoppedAtMs: number;
  durationSeconds: number;
  tracks: TrackPlan[];
  chapters: Chapter[];
  chat: Caption[];
}

const CAPTION_SECONDS = 6;
/** Chapters closer than this to the previous one are merged into it (a burst of joins is one chapter). */
const MIN_CHAPTER_GAP_SECONDS = 1;

/**
 * What one recording is made of, from the meeting's events alone (pure): its window, the stored
 * segments of each track, who is who, chapters (joins, leaves, screen shares, speakers) and the
 * chat as captions, all on the recording's clock (seconds since RecordingStarted).
 */
export function planRecording(events: readonly TimedEvent[], recordingId: string): RecordingPlan {
  const names = new Map<string, string>();
  const tracks = new Map<string, TrackPlan>();
  const chapters: Chapter[] = [];
  const chat: Caption[] = [];
  let startedAtMs: number | undefined;
  let stoppedAtMs: number | undefined;
  const at = (t: TimedEvent) => (Date.parse(t.occurredAt) - (startedAtMs ?? 0)) / 1000;
  const inWindow = () => startedAtMs !== undefined && stoppedAtMs === undefined;
  const nameOf = (participantId: string | null) =>
    participantId ? (names.get(participantId) ?? participantId) : '';
  const chapter = (t: TimedEvent, title: string) => {
    if (inWindow()) chapters.push({ startSeconds: Math.max(0, at(t)), title });
  };

  for (const timed of events) {
    const { event } = timed;
    switch (event.type) {
      case 'ParticipantJoined':
        names.set(event.data.participantId, event.data.displayName);
        chapter(timed, `${event.data.displayName} joined`);
        break;
      case 'ParticipantWaiting':
        names.set(event.data.participantId, event.data.displayName);
        break;
      case 'ParticipantLeft':
      case 'ParticipantRemoved':
        chapter(timed, `${nameOf(event.data.participantId)} left`);
        break;
      case 'MediaStateChanged':
        if (event.data.kind === 'screen')
          chapter(
            timed,
            event.data.enabled
              ? `${nameOf(event.data.participantId)} shares the screen`
              : `${nameOf(event.data.participantId)} stopped sharing`,
          );
        break;
      case 'ActiveSpeakerChanged':
        if (event.data.participantId) chapter(timed, `${nameOf(event.data.participantId)} speaks`);
        break;
      case 'ChatMessageSent':
        if (inWindow()) {
          const start = Math.max(0, at(timed));
          chat.push({
            startSeconds: start,
            endSeconds: start + CAPTION_SECONDS,
            text: `${event.data.senderName}: ${event.data.content}`,
          });
        }
        break;
      case 'RecordingStarted':
        if (event.data.recordingId === recordingId) {
          startedAtMs = Date.parse(timed.occurredAt);
          chapters.push({ startSeconds: 0, title: 'Recording started' });
        }
        break;
      case 'RecordingStopped':
        if (event.data.recordingId === recordingId && startedAtMs !== undefined && stoppedAtMs === undefined)
          stoppedAtMs = Date.parse(timed.occurredAt);
        break;
      case 'RecordingFailed':
        if (event.data.recordingId === recordingId && stoppedAtMs === undefined && startedAtMs !== undefined)
          stoppedAtMs = Date.parse(timed.occurredAt);
        break;
      case 'RecordingSegmentStored': {
        if (event.data.recordingId !== recordingId) break;
        const { trackId, participantId, source, kind, sequence, key } = event.data;
        const track = tracks.get(trackId) ?? {
          trackId,
          participantId,
          displayName: nameOf(participantId),
          source,
          kind,
          segments: [],
        };
        if (!track.segments.some((s) => s.sequence === sequence)) track.segments.push({ sequence, key });
        tracks.set(trackId, track);
        break;
      }
      default:
        break;
    }
  }
  if (startedAtMs === undefined) throw new Error(`Recording ${recordingId} never started in this meeting`);
  const stopped = stoppedAtMs ?? startedAtMs;
  const durationSeconds = Math.max(0, (stopped - startedAtMs) / 1000);
  for (const track of tracks.values()) track.segments.sort((a, b) => a.sequence - b.sequence);
  return {
    recordingId,
    startedAtMs,
    stoppedAtMs: stopped,
    durationSeconds,
    tracks: [...tracks.values()].sort((a, b) => (a.trackId < b.trackId ? -1 : 1)),
    chapters: mergeChapters(chapters.filter((c) => c.startSeconds < durationSeconds || c.startSeconds === 0)),
    chat: chat
      .filter((c) => c.startSeconds < durationSeconds)
      .map((c, i, all) => ({
        ...c,
        // A caption gives way to the next one and never outlasts the recording.
        endSeconds: Math.min(c.endSeconds, all[i + 1]?.startSeconds ?? Infinity, durationSeconds),
      })),
  };
}

function mergeChapters(chapters: Chapter[]): Chapter[] {
  const out: Chapter[] = [];
  for (const c of chapters) {
    const last = out[out.length - 1];
    if (last && c.startSeconds - last.startSeconds < MIN_CHAPTER_GAP_SECONDS)
      last.title = `${last.title}; ${c.title}`;
    else out.push({ ...c });
  }
  return out;
}
