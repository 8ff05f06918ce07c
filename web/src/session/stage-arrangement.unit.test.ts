import { describe, expect, it } from 'vitest';
import { serverMessage, type ParticipantView } from '../../../protocol/signaling';
import { applyJoinResult, initialState, type MeetingClientState } from './meeting-state';
import { reduceMessage } from './message-reducer';
import { hideReaction, REACTION_SHOWN_MS } from './reactions-state';
import { arrange } from './stage-arrangement';
import type { StageLayoutState } from './stage-layout';

const person = (participantId: string): ParticipantView => ({
  participantId,
  displayName: participantId.toUpperCase(),
  userId: null,
  role: 'participant',
  status: 'joined',
  joinTime: '2026-01-01T10:00:00.000Z',
  connectionStatus: 'connected',
  audioEnabled: true,
  videoEnabled: true,
  screenSharing: false,
  handRaised: false,
});

/** Given "me" in a meeting with Ann and Bob (in that order), and what else the test says. */
function given(extra: Partial<MeetingClientState> = {}): MeetingClientState {
  const state = applyJoinResult(initialState('m1', 'me', false), {
    self: person('me'),
    meeting: { meetingId: 'm1', title: 'Standup', status: 'active', waitingRoom: false, locked: false },
    participants: [person('ann'), person('bob'), person('me')],
    waiting: [],
    barred: [],
    activeSpeakerId: null,
    spotlightId: null,
    recording: false,
    recordingId: null,
    seq: 5,
    replayed: 0,
    media: true,
  });
  return { ...state, order: ['me', 'ann', 'bob'], ...extra };
}
const layout = (extra: Partial<StageLayoutState> = {}): StageLayoutState => ({
  mode: 'grid',
  hideSelf: false,
  pinnedId: null,
  ...extra,
});
const screenOf = (id: string) => ({
  [id]: { screen: { consumerId: 'c', producerId: 'p', track: {} as MediaStreamTrack, paused: false } },
});

describe('arranging the stage', () => {
  it('grid view shows everyone alike, in join order', () => {
    expect(arrange(given(), layout())).toEqual({ kind: 'grid', tiles: ['me', 'ann', 'bob'] });
  });

  it('hiding the self view takes my tile out of the grid; alone, the stage is empty', () => {
    expect(arrange(given(), layout({ hideSelf: true }))).toEqual({ kind: 'grid', tiles: ['ann', 'bob'] });
    const alone = given({ order: ['me'] });
    expect(arrange(alone, layout({ hideSelf: true }))).toEqual({ kind: 'empty' });
  });

  it('a pin makes that person large, everyone else in the filmstrip', () => {
    expect(arrange(given(), layout({ pinnedId: 'bob' }))).toEqual({
      kind: 'focus',
      main: 'bob',
      reason: 'pinned',
      strip: ['me', 'ann'],
    });
  });

  it("the host's spotlight does the same for everyone, but my own pin wins over it", () => {
    expect(arrange(given({ spotlightId: 'ann' }), layout())).toMatchObject({
      main: 'ann',
      reason: 'spotlight',
    });
    expect(arrange(given({ spotlightId: 'ann' }), layout({ pinnedId: 'bob' }))).toMatchObject({
      main: 'bob',
      reason: 'pinned',
    });
  });

  it('a pin or spotlight on someone who left is ignored', () => {
    const state = given({ spotlightId: 'gone' });
    expect(arrange(state, layout({ pinnedId: 'also-gone' }))).toEqual({
      kind: 'grid',
      tiles: ['me', 'ann', 'bob'],
    });
  });

  it('a shared screen is large unless someone is pinned or spotlighted', () => {
    const sharing = given({ remote: screenOf('bob') });
    expect(arrange(sharing, layout({ hideSelf: true }))).toEqual({
      kind: 'presentation',
      presenterId: 'bob',
      strip: ['ann', 'bob'],
    });
    expect(arrange(sharing, layout({ pinnedId: 'ann' }))).toMatchObject({ kind: 'focus', main: 'ann' });
  });

  it('speaker view puts the one speaking large, and keeps them there through a silence', () => {
    let state = given();
    // Nobody has spoken yet: the first other person, never myself.
    expect(arrange(state, layout({ mode: 'speaker' }))).toMatchObject({
      kind: 'focus',
      main: 'ann',
      reason: 'speaker',
    });
    state = reduceMessage(state, serverMessage('active-speaker', { participantId: 'bob', seq: 6 }));
    expect(arrange(state, layout({ mode: 'speaker' }))).toEqual({
      kind: 'focus',
      main: 'bob',
      reason: 'speaker',
      strip: ['me', 'ann'],
    });
    state = reduceMessage(state, serverMessage('active-speaker', { participantId: null, seq: 7 }));
    expect(arrange(state, layout({ mode: 'speaker' }))).toMatchObject({ main: 'bob' });
    // With my self view hidden, the one other person is large, with no filmstrip.
    expect(arrange(given({ order: ['me', 'ann'] }), layout({ mode: 'speaker', hideSelf: true }))).toEqual({
      kind: 'focus',
      main: 'ann',
      reason: 'speaker',
      strip: [],
    });
    // My own voice never makes me large on my own screen.
    state = reduceMessage(state, serverMessage('active-speaker', { participantId: 'me', seq: 8 }));
    expect(arrange(state, layout({ mode: 'speaker' }))).toMatchObject({ main: 'bob' });
  });

  it('the spotlight arrives and goes with its broadcasts', () => {
    let state = reduceMessage(
      given(),
      serverMessage('spotlight', { participantId: 'ann', reason: 'spotlighted', seq: 6 }),
    );
    expect(arrange(state, layout())).toMatchObject({ main: 'ann', reason: 'spotlight' });
    state = reduceMessage(
      state,
      serverMessage('spotlight', { participantId: null, reason: 'participant-left', seq: 7 }),
    );
    expect(arrange(state, layout()).kind).toBe('grid');
  });
});

describe('a reaction arriving', () => {
  it('shows over the sender, adds a chat line that is not unread, and goes when hidden', () => {
    let state = reduceMessage(
      given(),
      serverMessage('reaction', { participantId: 'ann', emoji: '👏', seq: 6 }),
    );
    expect(state.reactions).toEqual([{ seq: 6, participantId: 'ann', emoji: '👏' }]);
    expect(state.chat.map((c) => [c.fromName, c.message, c.reaction])).toEqual([
      ['ANN', '👏 Clapping', '👏'],
    ]);
    expect(state.unread).toBe(0);
    // Ann's next reaction replaces the one over her tile; the chat keeps both.
    state = reduceMessage(state, serverMessage('reaction', { participantId: 'ann', emoji: '🎉', seq: 7 }));
    expect(state.reactions.map((r) => r.emoji)).toEqual(['🎉']);
    expect(state.chat).toHaveLength(2);
    expect(hideReaction(state, 6)).toBe(state);
    expect(hideReaction(state, 7).reactions).toEqual([]);
    expect(REACTION_SHOWN_MS).toBeGreaterThanOrEqual(3000);
  });

  it('from someone unknown (left already) shows nothing', () => {
    const state = given();
    expect(
      reduceMessage(state, serverMessage('reaction', { participantId: 'gone', emoji: '👍', seq: 6 })),
    ).toBe(state);
  });
});
