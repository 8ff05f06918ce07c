import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import { created, given, joined } from '../../domain/meeting/meeting.spec-helper';
import { speakerNodeOf } from './speaker-node';

const home = (nodeId: string): MeetingEvent => ({
  type: 'MediaNodeAssigned',
  data: { nodeId, url: `http://${nodeId}`, previousNodeId: null },
});
const through = (
  participantId: string,
  nodeId: string,
  connectionStatus: 'connected' | 'reconnecting' = 'connected',
): MeetingEvent => ({
  type: 'ParticipantConnectionChanged',
  data: { participantId, connectionStatus, nodeId },
});

describe('the node that reports a cascaded meeting’s active speaker', () => {
  it('is the meeting’s media node while someone is connected through it', () => {
    const { state } = given(
      created(),
      home('b'),
      joined('p1'),
      joined('p2'),
      through('p1', 'a'),
      through('p2', 'b'),
    );
    expect(speakerNodeOf(state)).toBe('b');
  });
  it('is the first node people are connected through when nobody is on the media node', () => {
    const { state } = given(
      created(),
      home('a'),
      joined('p1'),
      joined('p2'),
      through('p1', 'c'),
      through('p2', 'b'),
      joined('p3'),
      through('p3', 'a', 'connected'),
      through('p3', 'a', 'reconnecting'),
    );
    expect(speakerNodeOf(state)).toBe('b');
  });
  it('is anyone’s call when no node is on record (one node, or before nodes were named)', () => {
    expect(speakerNodeOf(given(created(), joined('p1')).state)).toBeNull();
  });
});
