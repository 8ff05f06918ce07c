import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { MeetingEvent, MeetingEventOf, MeetingEventType } from '../../domain/meeting/meeting.events';
import { toMeetingEvent } from '../../domain/meeting/meeting.upcasters';
import type { ObjectStore } from '../../domain/ports/object-store';
import { systemActor } from '../../domain/shared/actor';
import type { StoredEvent } from '../../domain/shared/envelope';
import { Lru } from '../../domain/shared/lru';
import type { ProducerEntry } from '../peer';
import type { Room } from '../room';
import { TrackRecorder, type TrackInfo } from './track-recorder';

export interface RecordingControllerDeps {
  logger: Logger;
  nodeId: string;
  commands: MeetingCommandHandler;
  objects: ObjectStore;
  ffmpegPath: string;
  /** Local scratch space for segments until they are stored. */
  workRoot: string;
  room(meetingId: string): Room | undefined;
  segmentSeconds?: number;
}

interface Session {
  meetingId: string;
  recordingId: string;
  /** By producer id. */
  tracks: Map<string, TrackRecorder>;
  restarts: Map<string, number>;
  workerToWall?: number;
  stopped: boolean;
}

const MAX_RESTARTS = 3;

/**
 * The events the capture acts on; its bus group is handed only these (`types`), so the many
 * it has no use for (chat above all) are never parsed for it. `apply` switches on this union
 * only, so a case for a type missing here does not compile.
 */
export const CAPTURE_EVENT_TYPES = [
  'RecordingStarted',
  'MediaPublished',
  'MediaUnpublished',
  'RecordingStopped',
  'RecordingFailed',
  'MeetingEnded',
] as const satisfies readonly MeetingEventType[];
type CaptureEvent = MeetingEventOf<(typeof CAPTURE_EVENT_TYPES)[number]>;
const captureTypes: ReadonlySet<string> = new Set(CAPTURE_EVENT_TYPES);
const isCaptureEvent = (event: MeetingEvent): event is CaptureEvent => captureTypes.has(event.type);

/** What the stream records of a track (StartRecordingTrack). */
function trackFacts(track: TrackInfo) {
  const { recordingId, trackId, participantId, source, kind } = track;
  return { recordingId, trackId, participantId, source, kind };
}

/**
 * Capture, driven by the meeting's events on the bus (never by the request): while a meeting is
 * recorded, every producer this node hosts is recorded by a TrackRecorder. Each node records the
 * producers it hosts, so a meeting cascaded over several nodes is recorded whole, and a meeting
 * whose participants come back through another node (their node died) is recorded there again
 * from their new producers. A recorder whose ffmpeg dies is started again as a new track.
 */
export function createRecordingController(deps: RecordingControllerDeps) {
  const seen = new Lru<string, true>(10_000);
  const sessions = new Map<string, Session>();
  const system = systemActor('recorder');

  function local(entry: ProducerEntry): boolean {
    return entry.remoteNode === undefined && !entry.producer.closed;
  }

  async function addTrack(session: Session, entry: ProducerEntry): Promise<void> {
    const producerId = entry.producer.id;
    if (session.stopped || session.tracks.has(producerId) || !local(entry)) return;
    const track: TrackInfo = {
      meetingId: session.meetingId,
      recordingId: session.recordingId,
      trackId: `${producerId}-${randomBytes(3).toString('hex')}`,
      participantId: entry.participantId,
      source: entry.source,
      kind: entry.producer.kind,
    };
    const recorder = new TrackRecorder(track, {
      router: entry.router,
      producerId,
      objects: deps.objects,
      ffmpegPath: deps.ffmpegPath,
      workDir: join(deps.workRoot, session.meetingId, session.recordingId),
      logger: deps.logger,
      ...(deps.segmentSeconds ? { segmentSeconds: deps.segmentSeconds } : {}),
      workerToWallMs: (workerMs) => (session.workerToWall ??= Date.now() - workerMs),
      onSegmentStored: async (t, segment) => {
        await deps.commands.handle(
          t.meetingId,
          {
            type: 'StoreRecordingSegment',
            recordingId: t.recordingId,
            trackId: t.trackId,
            participantId: t.participantId,
            source: t.source,
            kind: t.kind,
            ...segment,
          },
          { actor: system },
        );
      },
      onFailure: (t, reason) => void restart(session, entry, t, reason),
    });
    session.tracks.set(producerId, recorder);
    // Announced before capture begins, so that a stop racing the start still finds it to close.
    await report(session, { type: 'StartRecordingTrack', ...trackFacts(track) });
    try {
      await recorder.start();
      deps.logger.info(
        {
          meetingId: session.meetingId,
          recordingId: session.recordingId,
          trackId: track.trackId,
          kind: track.kind,
        },
        'recording a track',
      );
    } catch (error) {
      session.tracks.delete(producerId);
      await closeTrack(session, recorder);
      await restart(
        session,
        entry,
        track,
        `the recorder could not start: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Stops a recorder, then records that its track is whole (every segment it made is stored): the
   * recording's file is made once all its tracks are closed (recording-job.ts, `settle`).
   */
  async function closeTrack(session: Session, recorder: TrackRecorder): Promise<void> {
    await recorder.stop().catch(() => undefined);
    const { recordingId, trackId } = recorder.track;
    await report(session, {
      type: 'CloseRecordingTrack',
      recordingId,
      trackId,
      segments: recorder.storedSegments,
    });
  }

  /** A track's fact for the meeting's stream; a failure is logged (the job then waits out its limit). */
  async function report(
    session: Session,
    command: Extract<MeetingCommand, { type: 'StartRecordingTrack' | 'CloseRecordingTrack' }>,
  ): Promise<void> {
    await deps.commands
      .handle(session.meetingId, command, { actor: system })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, trackId: command.trackId }, `could not record ${command.type}`),
      );
  }

  async function restart(
    session: Session,
    entry: ProducerEntry,
    track: TrackInfo,
    reason: string,
  ): Promise<void> {
    const producerId = entry.producer.id;
    const current = session.tracks.get(producerId);
    if (current?.track.trackId === track.trackId) {
      session.tracks.delete(producerId);
      await closeTrack(session, current);
    }
    if (session.stopped || entry.producer.closed) return;
    const count = (session.restarts.get(producerId) ?? 0) + 1;
    session.restarts.set(producerId, count);
    if (count > MAX_RESTARTS) {
      deps.logger.error(
        { meetingId: session.meetingId, recordingId: session.recordingId, reason },
        'recording capture failed',
      );
      await deps.commands
        .handle(
          session.meetingId,
          {
            type: 'FailRecording',
            recordingId: session.recordingId,
            stage: 'capture',
            reason: reason.slice(0, 2000),
          },
          { actor: system },
        )
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not record the capture failure'));
      return;
    }
    deps.logger.warn(
      { meetingId: session.meetingId, trackId: track.trackId, reason, restart: count },
      'restarting a track recorder',
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await addTrack(session, entry);
  }

  async function startSession(meetingId: string, recordingId: string): Promise<Session> {
    const existing = sessions.get(meetingId);
    if (existing && existing.recordingId === recordingId && !existing.stopped) return existing;
    if (existing) await stopSession(meetingId);
    const session: Session = {
      meetingId,
      recordingId,
      tracks: new Map(),
      restarts: new Map(),
      stopped: false,
    };
    sessions.set(meetingId, session);
    const room = deps.room(meetingId);
    for (const entry of room?.producers.values() ?? []) await addTrack(session, entry);
    return session;
  }

  async function stopSession(meetingId: string, recordingId?: string): Promise<void> {
    const session = sessions.get(meetingId);
    if (!session || (recordingId !== undefined && session.recordingId !== recordingId)) return;
    session.stopped = true;
    sessions.delete(meetingId);
    await Promise.all([...session.tracks.values()].map((t) => closeTrack(session, t)));
    deps.logger.info(
      { meetingId, recordingId: session.recordingId },
      'recording capture stopped on this node',
    );
  }

  /** A producer published here while the meeting is recorded (also after moving here from a dead node). */
  async function published(meetingId: string, producerId: string): Promise<void> {
    let session = sessions.get(meetingId);
    if (!session) {
      const { state } = await deps.commands.load(meetingId);
      if (!state.activeRecordingId) return;
      session = await startSession(meetingId, state.activeRecordingId);
    }
    const entry = deps.room(meetingId)?.producers.get(producerId);
    if (entry) await addTrack(session, entry);
  }

  async function apply(stored: StoredEvent): Promise<void> {
    const event = toMeetingEvent(stored);
    if (!event || !isCaptureEvent(event)) return;
    const meetingId = stored.meetingId;
    switch (event.type) {
      case 'RecordingStarted':
        await startSession(meetingId, event.data.recordingId);
        return;
      case 'MediaPublished':
        if (event.data.nodeId === null || event.data.nodeId === deps.nodeId)
          await published(meetingId, event.data.producerId);
        return;
      case 'MediaUnpublished': {
        const session = sessions.get(meetingId);
        const track = session?.tracks.get(event.data.producerId);
        if (session && track) {
          session.tracks.delete(event.data.producerId);
          await closeTrack(session, track);
        }
        return;
      }
      case 'RecordingStopped':
      case 'RecordingFailed':
        await stopSession(meetingId, event.data.recordingId);
        return;
      case 'MeetingEnded':
        await stopSession(meetingId);
        return;
    }
  }

  return {
    async handle(events: StoredEvent[]): Promise<void> {
      for (const stored of events) {
        if (seen.get(stored.eventId)) continue;
        seen.set(stored.eventId, true);
        try {
          await apply(stored);
        } catch (error) {
          deps.logger.error(
            { err: error, eventId: stored.eventId, type: stored.type },
            'recorder could not apply an event',
          );
        }
      }
    },
    /** Tracks being recorded on this node now. */
    tracks(): number {
      return [...sessions.values()].reduce((n, s) => n + s.tracks.size, 0);
    },
    async close(): Promise<void> {
      await Promise.all([...sessions.keys()].map((id) => stopSession(id)));
    },
  };
}
