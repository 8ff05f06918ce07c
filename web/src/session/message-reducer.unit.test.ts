import { describe, expect, it } from 'vitest';
import {
  serverMessage,
  type AnyServerMessage,
  type ChatView,
  type JoinResult,
  type ParticipantView,
  type ServerMessageType,
  type ServerPayloads,
} from '../../../protocol/signaling';
import { applyJoinResult, initialState, type MeetingClientState } from './meeting-state';
import { reduceMessage } from './message-reducer';

/** A message as the server sends it: its payload with its own `type`. */
const reduce = <K extends ServerMessageType>(
  state: MeetingClientState,
  type: K,
  payload: ServerPayloads[K],
) => reduceMessage(state, serverMessage(type, payload) as unknown as AnyServerMessage);

const person = (participantId: string, displayName: string, extra: Partial<ParticipantView> = {}) =>
  ({
    participantId,
    displayName,
    userId: null,
    role: 'participant',
    status: 'joined',
    joinTime: '2026-01-01T10:00:00.000Z',
    connectionStatus: 'connected',
    audioEnabled: true,
    videoEnabled: true,
    screenSharing: false,
    handRaised: false,
    ...extra,
  }) satisfies ParticipantView;

const chat = (seq: number, from: string, message: string): ChatView => ({
  messageId: `m${seq}`,
  from,
  fromName: from,
  message,
  timestamp: '2026-01-01T10:00:00.000Z',
  seq,
});

/** The join answer of "me", with Ann already there. */
function joinAnswer(): JoinResult {
  return {
    self: person('me', 'Me'),
    meeting: {
      meetingId: 'meeting-1',
      title: 'Standup',
      status: 'active',
      waitingRoom: false,
      locked: false,
    },
    participants: [person('ann', 'Ann', { joinTime: '2026-01-01T09:00:00.000Z' }), person('me', 'Me')],
    waiting: [],
    barred: [],
    activeSpeakerId: null,
    spotlightId: null,
    seq: 5,
    replayed: 0,
    media: true,
    recording: false,
    recordingId: null,
  };
}

/** Given a meeting joined by "me" with Ann already there. */
function joined(): MeetingClientState {
  return applyJoinResult(initialState('meeting-1', 'me', false), joinAnswer());
}

describe('reduceMessage', () => {
  it('orders the roster by join time and adds newcomers at the end', () => {
    const state = reduce(joined(), 'participant-joined', {
      participant: person('bob', 'Bob'),
      seq: 6,
    });
    expect(state.phase).toBe('joined');
    expect(state.meeting.title).toBe('Standup');
    expect(state.order).toEqual(['ann', 'me', 'bob']);
  });

  it('removes someone who left, with their media, and forgets them as active speaker', () => {
    let state = reduce(joined(), 'active-speaker', { participantId: 'ann', seq: 6 });
    state = { ...state, remote: { ann: {} } };
    state = reduce(state, 'participant-left', { participantId: 'ann', reason: 'left', seq: 7 });
    expect(state.order).toEqual(['me']);
    expect(state.participants['ann']).toBeUndefined();
    expect(state.remote['ann']).toBeUndefined();
    expect(state.activeSpeakerId).toBeNull();
  });

  it("ends this person's meeting with the reason they were let go", () => {
    const cases = [
      ['removed', 'removed'],
      ['meeting-ended', 'ended'],
      ['disconnected', 'expired'],
      ['left', 'left'],
    ] as const;
    for (const [reason, phase] of cases) {
      const state = reduce(joined(), 'participant-left', { participantId: 'me', reason, seq: 9 });
      expect(state.phase, reason).toBe(phase);
    }
    expect(reduce(joined(), 'meeting-ended', { reason: 'host-ended', seq: 9 }).phase).toBe('ended');
  });

  it('knows the recording in progress from the join answer, then from its broadcasts', () => {
    const recorded = applyJoinResult(initialState('meeting-1', 'me', false), {
      ...joinAnswer(),
      recording: true,
      recordingId: 'rec_a',
    });
    expect(recorded.recordingId).toBe('rec_a');
    expect(joined().recordingId).toBeNull();
    const started = reduce(joined(), 'recording-started', { recordingId: 'rec_b', seq: 6 });
    expect(started.recordingId).toBe('rec_b');
    // A late stop of an older recording does not hide the one in progress.
    expect(
      reduce(started, 'recording-stopped', { recordingId: 'rec_a', reason: 'host', seq: 7 }).recordingId,
    ).toBe('rec_b');
    expect(
      reduce(started, 'recording-stopped', { recordingId: 'rec_b', reason: 'host', seq: 7 }).recordingId,
    ).toBeNull();
  });

  it('counts unread chat only while the chat panel is closed, once per message, in stream order', () => {
    let state = reduce(joined(), 'chat', chat(8, 'ann', 'second'));
    state = reduce(state, 'chat', chat(7, 'ann', 'first'));
    state = reduce(state, 'chat', chat(8, 'ann', 'second'));
    state = reduce(state, 'chat', chat(9, 'me', 'mine'));
    expect(state.chat.map((m) => m.message)).toEqual(['first', 'second', 'mine']);
    expect(state.unread).toBe(2);
    state = reduce({ ...state, panel: 'chat', unread: 0 }, 'chat', chat(10, 'ann', 'seen'));
    expect(state.unread).toBe(0);
  });

  it('shows mute, camera, hands and connection state on the participant', () => {
    let state = reduce(joined(), 'media-update', {
      participantId: 'ann',
      audio: false,
      video: true,
      screen: true,
      seq: 6,
    });
    state = reduce(state, 'hand-raised', { participantId: 'ann', seq: 7 });
    state = reduce(state, 'connection-update', {
      participantId: 'ann',
      connectionStatus: 'reconnecting',
      seq: 8,
    });
    expect(state.participants['ann']).toMatchObject({
      audioEnabled: false,
      videoEnabled: true,
      screenSharing: true,
      handRaised: true,
      connectionStatus: 'reconnecting',
    });
    state = reduce(state, 'hand-lowered', { participantId: 'ann', seq: 9 });
    expect(state.participants['ann']?.handRaised).toBe(false);
  });

  it('keeps the waiting room for hosts: added when someone waits, cleared when admitted or denied', () => {
    const host = { ...joined(), isHost: true };
    let state = reduce(host, 'participant-waiting', {
      participant: person('eve', 'Eve', { status: 'waiting' }),
      seq: 6,
    });
    state = reduce(state, 'participant-waiting', {
      participant: person('zed', 'Zed', { status: 'waiting' }),
      seq: 7,
    });
    expect(Object.keys(state.waiting)).toEqual(['eve', 'zed']);
    state = reduce(state, 'admitted', { participantId: 'eve', seq: 8 });
    state = reduce(state, 'denied', { participantId: 'zed', seq: 9 });
    expect(state.waiting).toEqual({});
  });

  it('ignores what it does not know', () => {
    const state = joined();
    expect(
      reduce(state, 'media:consumer-layers', { consumerId: 'c', spatialLayer: 1, temporalLayer: 2 }),
    ).toBe(state);
  });
});
