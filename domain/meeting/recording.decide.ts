import type { Actor } from '../shared/actor';
import { ConferError } from '../shared/errors';
import { authorityOf } from './host-authority';
import type { MeetingCommand } from './meeting.commands';
import type { MeetingEvent, MeetingEventOf, RecordedMeetingEvent } from './meeting.events';
import type { MeetingState } from './meeting.state';
import type { RecordingState } from './recording.state';

/**
 * The recording rules (called from the meeting decider): only the host starts and stops, one
 * recording at a time, an ended meeting stops its recording; the platform reports what is stored
 * and how processing ended, and the first outcome of a recording is its last.
 */
export type RecordingCommand = Extract<
  MeetingCommand,
  {
    type:
      | 'StartRecording'
      | 'StopRecording'
      | 'StoreRecordingSegment'
      | 'StartRecordingTrack'
      | 'CloseRecordingTrack'
      | 'CompleteRecording'
      | 'FailRecording'
      | 'SweepRecording';
  }
>;

export type RecordingEvent = Extract<
  MeetingEvent,
  {
    type:
      | 'RecordingStarted'
      | 'RecordingStopped'
      | 'RecordingSegmentStored'
      | 'RecordingTrackStarted'
      | 'RecordingTrackClosed'
      | 'RecordingAvailable'
      | 'RecordingFailed';
  }
>;

const recordingCommandTypes: ReadonlySet<string> = new Set<RecordingCommand['type']>([
  'StartRecording',
  'StopRecording',
  'StoreRecordingSegment',
  'StartRecordingTrack',
  'CloseRecordingTrack',
  'CompleteRecording',
  'FailRecording',
  'SweepRecording',
]);

export const isRecordingCommand = (command: MeetingCommand): command is RecordingCommand =>
  recordingCommandTypes.has(command.type);

/** Decides a recording command. Called before the "meeting ended" rule: processing outlives the meeting. */
export function decideRecording(
  command: RecordingCommand,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  switch (command.type) {
    case 'StartRecording': {
      assertHost(actor, state);
      if (state.status === 'ended') throw new ConferError('CONFER_MEETING_ENDED');
      const existing = state.recordings[command.recordingId];
      // The same start again is a retried request.
      if (existing) return [];
      if (state.activeRecordingId !== null)
        throw new ConferError('CONFER_RECORDING_ALREADY_RUNNING', undefined, 'recordingId');
      return [{ type: 'RecordingStarted', data: { recordingId: command.recordingId } }];
    }
    case 'StopRecording': {
      assertHost(actor, state);
      const recording = requireRecording(state, command.recordingId);
      if (recording.status !== 'recording') return [];
      return [
        { type: 'RecordingStopped', data: { recordingId: recording.recordingId, reason: 'host-stopped' } },
      ];
    }
    case 'StoreRecordingSegment': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      // A segment closing after the file was made (or given up on) changes nothing.
      if (recording.status === 'available' || recording.status === 'failed') return [];
      const { type: _type, ...data } = command;
      return [{ type: 'RecordingSegmentStored', data }];
    }
    case 'StartRecordingTrack': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      // A track starting as the recording stops is stopped at once; one announced twice is one.
      if (recording.status !== 'recording' || recording.tracks[command.trackId]) return [];
      const { type: _type, ...data } = command;
      return [{ type: 'RecordingTrackStarted', data }];
    }
    case 'CloseRecordingTrack': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      if (recording.status === 'available' || recording.status === 'failed') return [];
      if (recording.tracks[command.trackId] === 'closed') return [];
      const { type: _type, ...data } = command;
      return [{ type: 'RecordingTrackClosed', data }];
    }
    case 'CompleteRecording': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      if (recording.status === 'recording')
        throw new ConferError('CONFER_RECORDING_NOT_STOPPED', undefined, 'recordingId');
      if (recording.status !== 'processing') return [];
      const { type: _type, ...data } = command;
      return [{ type: 'RecordingAvailable', data }];
    }
    case 'FailRecording': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      if (recording.status === 'available' || recording.status === 'failed') return [];
      const { recordingId, stage, reason } = command;
      return [{ type: 'RecordingFailed', data: { recordingId, stage, reason } }];
    }
    case 'SweepRecording': {
      assertSystem(actor);
      const recording = requireRecording(state, command.recordingId);
      const { recordingId } = recording;
      // Still "recording" with no one capturing: stop it, so that what was stored is processed.
      if (recording.status === 'recording')
        return [{ type: 'RecordingStopped', data: { recordingId, reason: 'swept' } }];
      if (recording.status === 'processing')
        return [{ type: 'RecordingFailed', data: { recordingId, stage: 'sweeper', reason: command.reason } }];
      return [];
    }
  }
}

/** Ending the meeting stops its recording (placed before MeetingEnded by the decider). */
export function recordingStopsOnEnd(state: MeetingState): MeetingEvent[] {
  const recordingId = state.activeRecordingId;
  return recordingId ? [{ type: 'RecordingStopped', data: { recordingId, reason: 'meeting-ended' } }] : [];
}

export const isRecordingEvent = (
  event: RecordedMeetingEvent,
): event is RecordedMeetingEvent & RecordingEvent => event.type.startsWith('Recording');

export function evolveRecording(
  state: MeetingState,
  event: RecordedMeetingEvent & RecordingEvent,
): MeetingState {
  const at = event.occurredAt;
  if (event.type === 'RecordingStarted') {
    const recording: RecordingState = {
      recordingId: event.data.recordingId,
      status: 'recording',
      startedAt: at,
      stoppedAt: null,
      segments: 0,
      lastActivityAt: at,
      tracks: {},
      file: null,
      failure: null,
    };
    return {
      ...state,
      recordings: { ...state.recordings, [recording.recordingId]: recording },
      activeRecordingId: recording.recordingId,
    };
  }
  const before = state.recordings[event.data.recordingId];
  if (!before) return state;
  const after = nextRecording(before, event, at);
  const stillActive = after.status === 'recording';
  return {
    ...state,
    recordings: { ...state.recordings, [after.recordingId]: after },
    activeRecordingId:
      state.activeRecordingId === after.recordingId && !stillActive ? null : state.activeRecordingId,
  };
}

function nextRecording(before: RecordingState, event: RecordingEvent, at: string): RecordingState {
  switch (event.type) {
    case 'RecordingStarted':
      return before;
    case 'RecordingStopped':
      return { ...before, status: 'processing', stoppedAt: at, lastActivityAt: at };
    case 'RecordingSegmentStored':
      return { ...before, segments: before.segments + 1, lastActivityAt: at };
    case 'RecordingTrackStarted':
      return {
        ...before,
        tracks: { ...before.tracks, [event.data.trackId]: 'open' },
        lastActivityAt: at,
      };
    case 'RecordingTrackClosed':
      return {
        ...before,
        tracks: { ...before.tracks, [event.data.trackId]: 'closed' },
        lastActivityAt: at,
      };
    case 'RecordingAvailable':
      return { ...before, status: 'available', file: fileOf(event), lastActivityAt: at };
    case 'RecordingFailed':
      return {
        ...before,
        status: 'failed',
        stoppedAt: before.stoppedAt ?? at,
        failure: { stage: event.data.stage, reason: event.data.reason },
        lastActivityAt: at,
      };
  }
}

function fileOf(event: MeetingEventOf<'RecordingAvailable'>): RecordingState['file'] {
  const { key, contentType, durationSeconds, sizeBytes, sha256 } = event.data;
  return { key, contentType, durationSeconds, sizeBytes, sha256 };
}

function assertHost(actor: Actor, state: MeetingState): void {
  // The meeting's history decides (a participant handed the host role records too).
  if (authorityOf(actor, state) !== 'host')
    throw new ConferError('CONFER_FORBIDDEN', 'Only the host can record', 'authorization');
}

function assertSystem(actor: Actor): void {
  if (actor.type !== 'system')
    throw new ConferError('CONFER_FORBIDDEN', 'Only the platform reports recordings');
}

function requireRecording(state: MeetingState, recordingId: string): RecordingState {
  const recording = state.recordings[recordingId];
  if (!recording) throw new ConferError('CONFER_RECORDING_NOT_FOUND', undefined, 'recordingId');
  return recording;
}
