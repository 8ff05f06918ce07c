import { describe, expect, it } from 'vitest';
import { upcast, toMeetingEvent, type UpcasterTable } from './meeting.upcasters';

describe('upcasting', () => {
  // A sample history of one event type: v1 had `name`, v2 split it, v3 added a default.
  const table: UpcasterTable = {
    Greeted: {
      1: (d) => {
        const { name } = d as { name: string };
        const [first = '', last = ''] = name.split(' ');
        return { first, last };
      },
      2: (d) => ({ ...(d as object), formal: false }),
    },
  };

  it('chains upcasters from the stored version to the current one', () => {
    expect(upcast('Greeted', 1, { name: 'Ada Lovelace' }, 3, table)).toEqual({
      first: 'Ada',
      last: 'Lovelace',
      formal: false,
    });
    expect(upcast('Greeted', 2, { first: 'Ada', last: 'L' }, 3, table)).toEqual({
      first: 'Ada',
      last: 'L',
      formal: false,
    });
    expect(upcast('Greeted', 3, { first: 'x' }, 3, table)).toEqual({ first: 'x' });
  });

  it('fails clearly when a step is missing or the stored version is newer than the code', () => {
    expect(() => upcast('Greeted', 1, { name: 'a b' }, 4, table)).toThrow(/No upcaster for Greeted v3/);
    expect(() => toMeetingEvent({ type: 'ChatMessageSent', schemaVersion: 9, data: {} })).toThrow(
      /newer than this code/,
    );
  });

  it('parses current events and ignores unknown types', () => {
    expect(toMeetingEvent({ type: 'HandRaised', schemaVersion: 1, data: { participantId: 'p' } })).toEqual({
      type: 'HandRaised',
      data: { participantId: 'p' },
    });
    expect(toMeetingEvent({ type: 'SomethingElse', schemaVersion: 1, data: {} })).toBeUndefined();
    expect(() => toMeetingEvent({ type: 'HandRaised', schemaVersion: 1, data: {} })).toThrow();
  });

  it('upcasts the v1 meeting events that gained a node to v2 with an unknown node', () => {
    expect(
      toMeetingEvent({
        type: 'ParticipantConnectionChanged',
        schemaVersion: 1,
        data: { participantId: 'p', connectionStatus: 'connected' },
      }),
    ).toEqual({
      type: 'ParticipantConnectionChanged',
      data: { participantId: 'p', connectionStatus: 'connected', nodeId: null },
    });
    const v1 = { participantId: 'p', producerId: 'x', source: 'camera', kind: 'video', paused: false };
    expect(toMeetingEvent({ type: 'MediaPublished', schemaVersion: 1, data: v1 })).toEqual({
      type: 'MediaPublished',
      data: { ...v1, nodeId: null },
    });
    expect(
      toMeetingEvent({ type: 'MediaPublished', schemaVersion: 2, data: { ...v1, nodeId: 'b' } }),
    ).toEqual({ type: 'MediaPublished', data: { ...v1, nodeId: 'b' } });
  });
});
