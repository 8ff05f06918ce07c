import { describe, expect, it } from 'vitest';
import type { MeetingCommand } from './meeting.commands';
import type { MeetingEvent } from './meeting.events';
import { as, created, given, host, joined, system } from './meeting.spec-helper';

const R = 'rec_aaaaaaaaaa';
const R2 = 'rec_bbbbbbbbbb';
const started = (recordingId = R): MeetingEvent => ({ type: 'RecordingStarted', data: { recordingId } });
const stopped = (recordingId = R): MeetingEvent => ({
  type: 'RecordingStopped',
  data: { recordingId, reason: 'host-stopped' },
});
const sha256 = 'a'.repeat(64);
const complete: MeetingCommand = {
  type: 'CompleteRecording',
  recordingId: R,
  key: `recordings/m1/${R}/meeting.mp4`,
  contentType: 'video/mp4',
  durationSeconds: 61.2,
  sizeBytes: 1234,
  sha256,
};
const available: MeetingEvent = {
  type: 'RecordingAvailable',
  data: {
    recordingId: R,
    key: `recordings/m1/${R}/meeting.mp4`,
    contentType: 'video/mp4',
    durationSeconds: 61.2,
    sizeBytes: 1234,
    sha256,
  },
};
const segment: MeetingCommand = {
  type: 'StoreRecordingSegment',
  recordingId: R,
  trackId: 'prod-1',
  participantId: 'alice',
  source: 'camera',
  kind: 'video',
  sequence: 0,
  key: `recordings/m1/${R}/tracks/prod-1/seg_00000.mkv`,
  sizeBytes: 5000,
};
const fail: MeetingCommand = {
  type: 'FailRecording',
  recordingId: R,
  stage: 'compose',
  reason: 'ffmpeg exited 1',
};

describe('starting a recording', () => {
  it('the host starts one', () => {
    given(created(), joined('h', 'host'))
      .when({ type: 'StartRecording', recordingId: R }, as('h', true))
      .then([started()]);
    given(created()).when({ type: 'StartRecording', recordingId: R }, host).then([started()]);
  });
  it('a participant may not', () => {
    given(created(), joined('alice'))
      .when({ type: 'StartRecording', recordingId: R }, as('alice'))
      .thenError('CONFER_FORBIDDEN', 'authorization');
  });
  it('one at a time: a second start is refused while one runs', () => {
    given(created(), started())
      .when({ type: 'StartRecording', recordingId: R2 }, host)
      .thenError('CONFER_RECORDING_ALREADY_RUNNING', 'recordingId');
  });
  it('the same start again (a retried request) changes nothing', () => {
    given(created(), started()).when({ type: 'StartRecording', recordingId: R }, host).thenNothing();
  });
  it('a new one may start once the last has stopped', () => {
    given(created(), started(), stopped())
      .when({ type: 'StartRecording', recordingId: R2 }, host)
      .then([started(R2)]);
  });
  it('not in an ended meeting, nor in one that does not exist', () => {
    given(created(), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when({ type: 'StartRecording', recordingId: R }, host)
      .thenError('CONFER_MEETING_ENDED');
    given().when({ type: 'StartRecording', recordingId: R }, host).thenError('CONFER_MEETING_NOT_FOUND');
  });
});

describe('stopping a recording', () => {
  it('the host stops it', () => {
    given(created(), started()).when({ type: 'StopRecording', recordingId: R }, host).then([stopped()]);
  });
  it('a participant may not', () => {
    given(created(), joined('alice'), started())
      .when({ type: 'StopRecording', recordingId: R }, as('alice'))
      .thenError('CONFER_FORBIDDEN');
  });
  it('stopping one that is not of this meeting (or never was) says which field', () => {
    given(created())
      .when({ type: 'StopRecording', recordingId: R }, host)
      .thenError('CONFER_RECORDING_NOT_FOUND', 'recordingId');
  });
  it('stopping one already stopped changes nothing', () => {
    given(created(), started(), stopped())
      .when({ type: 'StopRecording', recordingId: R }, host)
      .thenNothing();
  });
  it('ending the meeting stops it, before the meeting ends', () => {
    given(created(), joined('h', 'host'), started())
      .when({ type: 'EndMeeting' }, host)
      .then([
        { type: 'ParticipantLeft', data: { participantId: 'h', reason: 'meeting-ended' } },
        { type: 'RecordingStopped', data: { recordingId: R, reason: 'meeting-ended' } },
        { type: 'MeetingEnded', data: { reason: 'host-ended' } },
      ]);
  });
  it('ending a meeting that is not recording stops nothing', () => {
    given(created(), started(), stopped())
      .when({ type: 'EndMeeting' }, host)
      .then([{ type: 'MeetingEnded', data: { reason: 'host-ended' } }]);
  });
});

describe('what the platform reports', () => {
  it('a stored segment is recorded, even just after the stop (the last one closes late)', () => {
    const { type: _t, ...data } = segment as Extract<MeetingCommand, { type: 'StoreRecordingSegment' }>;
    given(created(), started())
      .when(segment, system)
      .then([{ type: 'RecordingSegmentStored', data }]);
    given(created(), started(), stopped())
      .when(segment, system)
      .then([{ type: 'RecordingSegmentStored', data }]);
  });
  it('only the platform reports segments and outcomes', () => {
    given(created(), started()).when(segment, host).thenError('CONFER_FORBIDDEN');
    given(created(), started(), stopped()).when(complete, host).thenError('CONFER_FORBIDDEN');
    given(created(), started()).when(fail, as('alice', true)).thenError('CONFER_FORBIDDEN');
  });
  it('the file is available once stopped, with its hash; not while still recording', () => {
    given(created(), started(), stopped()).when(complete, system).then([available]);
    given(created(), started())
      .when(complete, system)
      .thenError('CONFER_RECORDING_NOT_STOPPED', 'recordingId');
  });
  it('processing goes on after the meeting ended', () => {
    given(created(), started(), stopped(), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when(complete, system)
      .then([available]);
  });
  it('a failure names the stage and the reason, and the first outcome is the last', () => {
    given(created(), started(), stopped())
      .when(fail, system)
      .then([
        { type: 'RecordingFailed', data: { recordingId: R, stage: 'compose', reason: 'ffmpeg exited 1' } },
      ]);
    given(created(), started(), stopped(), available).when(fail, system).thenNothing();
    given(created(), started(), stopped(), available).when(complete, system).thenNothing();
    given(created(), started(), stopped(), available).when(segment, system).thenNothing();
  });
  it('a capture failure while recording frees the meeting for another recording', () => {
    const failed: MeetingEvent = {
      type: 'RecordingFailed',
      data: { recordingId: R, stage: 'capture', reason: 'ffmpeg is missing' },
    };
    const world = given(created(), started(), failed);
    expect(world.state.activeRecordingId).toBeNull();
    expect(world.state.recordings[R]?.status).toBe('failed');
    world.when({ type: 'StartRecording', recordingId: R2 }, host).then([started(R2)]);
  });
});

describe('the tracks recorders announce and close', () => {
  const track = {
    recordingId: R,
    trackId: 'prod-1-abc',
    participantId: 'alice',
    source: 'camera' as const,
    kind: 'video' as const,
  };
  const startTrack: MeetingCommand = { type: 'StartRecordingTrack', ...track };
  const closeTrack: MeetingCommand = {
    type: 'CloseRecordingTrack',
    recordingId: R,
    trackId: track.trackId,
    segments: 3,
  };
  const trackStarted: MeetingEvent = { type: 'RecordingTrackStarted', data: track };
  const trackClosed: MeetingEvent = {
    type: 'RecordingTrackClosed',
    data: { recordingId: R, trackId: track.trackId, segments: 3 },
  };
  it('a track starts while recording, once, and only the platform says so', () => {
    given(created(), started()).when(startTrack, system).then([trackStarted]);
    given(created(), started(), trackStarted).when(startTrack, system).thenNothing();
    given(created(), started()).when(startTrack, host).thenError('CONFER_FORBIDDEN');
    given(created()).when(startTrack, system).thenError('CONFER_RECORDING_NOT_FOUND', 'recordingId');
  });
  it('a track starting as the recording stops is not announced (its recorder is stopped at once)', () => {
    given(created(), started(), stopped()).when(startTrack, system).thenNothing();
  });
  it('a track closes after the stop (its last segment is stored then), once', () => {
    given(created(), started(), trackStarted, stopped()).when(closeTrack, system).then([trackClosed]);
    given(created(), started(), trackStarted, stopped(), trackClosed).when(closeTrack, system).thenNothing();
    given(created(), started(), trackStarted, stopped(), available).when(closeTrack, system).thenNothing();
    given(created(), started(), trackStarted)
      .when(closeTrack, as('alice', true))
      .thenError('CONFER_FORBIDDEN');
  });
  it('the state says which tracks are still open', () => {
    expect(given(created(), started(), trackStarted).state.recordings[R]?.tracks).toEqual({
      [track.trackId]: 'open',
    });
    expect(
      given(created(), started(), trackStarted, stopped(), trackClosed).state.recordings[R]?.tracks,
    ).toEqual({
      [track.trackId]: 'closed',
    });
  });
});

describe('the sweeper', () => {
  const sweep: MeetingCommand = { type: 'SweepRecording', recordingId: R, reason: 'no progress for 900 s' };
  it('stops a recording nobody captures any more, so what was stored is processed', () => {
    given(created(), started())
      .when(sweep, system)
      .then([{ type: 'RecordingStopped', data: { recordingId: R, reason: 'swept' } }]);
  });
  it('fails one stuck in processing, and leaves finished ones alone', () => {
    given(created(), started(), stopped())
      .when(sweep, system)
      .then([
        {
          type: 'RecordingFailed',
          data: { recordingId: R, stage: 'sweeper', reason: 'no progress for 900 s' },
        },
      ]);
    given(created(), started(), stopped(), available).when(sweep, system).thenNothing();
  });
});

describe('the state a recording leaves', () => {
  it('follows the recording from start to file', () => {
    const state = given(created(), started(), stopped(), available).state;
    expect(state.activeRecordingId).toBeNull();
    expect(state.recordings[R]).toMatchObject({
      status: 'available',
      startedAt: '2026-01-01T00:00:01Z',
      stoppedAt: '2026-01-01T00:00:02Z',
      file: { sha256, sizeBytes: 1234, durationSeconds: 61.2 },
    });
    expect(given(created(), started()).state.activeRecordingId).toBe(R);
  });
});
