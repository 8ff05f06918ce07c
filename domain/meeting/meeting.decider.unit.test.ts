import { describe, expect, it } from 'vitest';
import { MAX_CHAT_BYTES } from './meeting.commands';
import { as, created, given, host, joinCmd, joined, settings, system, waiting } from './meeting.spec-helper';

describe('CreateMeeting', () => {
  const create = {
    type: 'CreateMeeting' as const,
    meetingId: 'm1',
    title: 'Standup',
    startTime: null,
    hostUserId: 'u-host',
    settings: settings(),
  };
  it('creates a meeting that does not exist', () => {
    given().when(create, host).then([created()]);
  });
  it('refuses to create a meeting twice', () => {
    given(created()).when(create, host).thenError('CONFER_MEETING_ALREADY_EXISTS');
  });
});

describe('JoinMeeting', () => {
  it('joins an active meeting with the requested media state', () => {
    given(created())
      .when(joinCmd('p1', { audioEnabled: false }), as('p1'))
      .then([
        {
          type: 'ParticipantJoined',
          data: {
            participantId: 'p1',
            displayName: 'P1',
            userId: null,
            role: 'participant',
            deviceId: null,
            audioEnabled: false,
            videoEnabled: true,
          },
        },
      ]);
  });
  it('joins the host token holder as host', () => {
    const events = given(created()).state;
    expect(events.status).toBe('active');
    given(created())
      .when(joinCmd('h1'), host)
      .then([
        {
          type: 'ParticipantJoined',
          data: {
            participantId: 'h1',
            displayName: 'H1',
            userId: null,
            role: 'host',
            deviceId: null,
            audioEnabled: true,
            videoEnabled: true,
          },
        },
      ]);
  });
  it('mutes on entry when the meeting says so', () => {
    given(created({ muteOnEntry: true, videoOffOnEntry: true }))
      .when(joinCmd('p1'), as('p1'))
      .then([
        {
          type: 'ParticipantJoined',
          data: {
            participantId: 'p1',
            displayName: 'P1',
            userId: null,
            role: 'participant',
            deviceId: null,
            audioEnabled: false,
            videoEnabled: false,
          },
        },
      ]);
  });
  it('puts a participant in the waiting room when it is on', () => {
    given(created({ waitingRoom: true }))
      .when(joinCmd('p1'), as('p1'))
      .then([waiting('p1')]);
  });
  it('lets the host bypass the waiting room', () => {
    const [event] =
      given(created({ waitingRoom: true })).state.status === 'active' ? [joined('h1', 'host')] : [];
    given(created({ waitingRoom: true }))
      .when(joinCmd('h1'), host)
      .then([event!]);
  });
  it('refuses a join after the meeting ended', () => {
    given(created(), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when(joinCmd('p1'), as('p1'))
      .thenError('CONFER_MEETING_ENDED');
  });
  it('refuses to join a meeting that does not exist', () => {
    given().when(joinCmd('p1'), as('p1')).thenError('CONFER_MEETING_NOT_FOUND');
  });
  it('refuses a join beyond capacity', () => {
    given(created({ maxParticipants: 2 }), joined('a'), joined('b'))
      .when(joinCmd('p1'), as('p1'))
      .thenError('CONFER_MEETING_FULL');
  });
  it('counts only present participants towards capacity', () => {
    given(created({ maxParticipants: 2 }), joined('a'), joined('b'), {
      type: 'ParticipantLeft',
      data: { participantId: 'a', reason: 'left' },
    })
      .when(joinCmd('p1'), as('p1'))
      .then([joined('p1')]);
  });
  it('checks the passcode, naming the field', () => {
    const meeting = created({ passcodeDigest: 'digest-ok' });
    given(meeting).when(joinCmd('p1'), as('p1')).thenError('CONFER_PASSCODE_INVALID', 'passcode');
    given(meeting)
      .when(joinCmd('p1', { passcodeDigest: 'wrong' }), as('p1'))
      .thenError('CONFER_PASSCODE_INVALID', 'passcode');
    given(meeting)
      .when(joinCmd('p1', { passcodeDigest: 'digest-ok' }), as('p1'))
      .then([joined('p1')]);
  });
  it('treats a repeated join of the same participant as a retry', () => {
    given(created(), joined('p1')).when(joinCmd('p1'), as('p1')).thenNothing();
  });
  it('refuses to rejoin a participant id that was removed', () => {
    given(created(), joined('p1'), { type: 'ParticipantRemoved', data: { participantId: 'p1' } })
      .when(joinCmd('p1'), as('p1'))
      .thenError('CONFER_PARTICIPANT_ALREADY_JOINED');
  });
});

describe('Waiting room: admit and deny', () => {
  const meeting = [created({ waitingRoom: true }), waiting('p1')] as const;
  it('admits a waiting participant (host only)', () => {
    given(...meeting)
      .when({ type: 'AdmitParticipant', participantId: 'p1' }, host)
      .then([{ type: 'ParticipantAdmitted', data: { participantId: 'p1' } }, joined('p1')]);
  });
  it('refuses admission by a non-host', () => {
    given(...meeting, joined('p2'))
      .when({ type: 'AdmitParticipant', participantId: 'p1' }, as('p2'))
      .thenError('CONFER_FORBIDDEN');
  });
  it('refuses admission when the meeting is full', () => {
    given(created({ waitingRoom: true, maxParticipants: 2 }), joined('a'), joined('b'), waiting('p1'))
      .when({ type: 'AdmitParticipant', participantId: 'p1' }, host)
      .thenError('CONFER_MEETING_FULL');
  });
  it('denies a waiting participant', () => {
    given(...meeting)
      .when({ type: 'DenyParticipant', participantId: 'p1' }, as('h', true))
      .then([{ type: 'ParticipantDenied', data: { participantId: 'p1' } }]);
  });
  it('refuses to admit someone who is not waiting', () => {
    given(...meeting, { type: 'ParticipantDenied', data: { participantId: 'p1' } })
      .when({ type: 'AdmitParticipant', participantId: 'p1' }, host)
      .thenError('CONFER_PARTICIPANT_NOT_WAITING', 'participantId');
    given(...meeting)
      .when({ type: 'AdmitParticipant', participantId: 'nobody' }, host)
      .thenError('CONFER_PARTICIPANT_NOT_FOUND', 'participantId');
  });
  it('keeps a waiting participant out of chat', () => {
    given(...meeting)
      .when({ type: 'SendChatMessage', messageId: 'x', content: 'hi' }, as('p1'))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED');
  });
});

describe('LeaveMeeting', () => {
  it('leaves', () => {
    given(created(), joined('p1'))
      .when({ type: 'LeaveMeeting', participantId: 'p1', reason: 'left' }, as('p1'))
      .then([{ type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'left' } }]);
  });
  it('is idempotent', () => {
    given(created(), joined('p1'), { type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'left' } })
      .when({ type: 'LeaveMeeting', participantId: 'p1', reason: 'left' }, as('p1'))
      .thenNothing();
    given(created(), joined('p1'), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when({ type: 'LeaveMeeting', participantId: 'p1', reason: 'left' }, as('p1'))
      .thenNothing();
  });
  it('cannot be done for someone else', () => {
    given(created(), joined('p1'), joined('p2'))
      .when({ type: 'LeaveMeeting', participantId: 'p1', reason: 'left' }, as('p2'))
      .thenError('CONFER_FORBIDDEN', 'participantId');
  });
  it('can be done by the system for a vanished connection', () => {
    given(created(), joined('p1'))
      .when({ type: 'LeaveMeeting', participantId: 'p1', reason: 'disconnected' }, system)
      .then([{ type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'disconnected' } }]);
  });
});

describe('Media state', () => {
  it('mutes and unmutes oneself', () => {
    given(created(), joined('p1'))
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'audio', enabled: false }, as('p1'))
      .then([{ type: 'MediaStateChanged', data: { participantId: 'p1', kind: 'audio', enabled: false } }]);
    given(created(), joined('p1'))
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'screen', enabled: true }, as('p1'))
      .then([{ type: 'MediaStateChanged', data: { participantId: 'p1', kind: 'screen', enabled: true } }]);
  });
  it('records nothing when the state does not change', () => {
    given(created(), joined('p1'))
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'video', enabled: true }, as('p1'))
      .thenNothing();
  });
  it('lets the host mute others but not unmute them', () => {
    given(created(), joined('h', 'host'), joined('p1'))
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'audio', enabled: false }, as('h', true))
      .then([{ type: 'MediaStateChanged', data: { participantId: 'p1', kind: 'audio', enabled: false } }]);
    given(created(), joined('p1'), {
      type: 'MediaStateChanged',
      data: { participantId: 'p1', kind: 'audio', enabled: false },
    })
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'audio', enabled: true }, host)
      .thenError('CONFER_HOST_CANNOT_UNMUTE_OTHERS', 'enabled');
  });
  it('refuses a non-host muting someone else', () => {
    given(created(), joined('p1'), joined('p2'))
      .when({ type: 'ChangeMediaState', participantId: 'p1', kind: 'audio', enabled: false }, as('p2'))
      .thenError('CONFER_FORBIDDEN');
  });
});

describe('Chat', () => {
  it('records a message from a joined participant, trimmed', () => {
    given(created(), joined('p1'))
      .when({ type: 'SendChatMessage', messageId: 'c1', content: '  hello  ' }, as('p1'))
      .then([
        {
          type: 'ChatMessageSent',
          data: { messageId: 'c1', senderId: 'p1', senderName: 'P1', content: 'hello' },
        },
      ]);
  });
  it('refuses an empty message', () => {
    given(created(), joined('p1'))
      .when({ type: 'SendChatMessage', messageId: 'c1', content: '   ' }, as('p1'))
      .thenError('CONFER_CHAT_EMPTY', 'message');
  });
  it('accepts exactly 4 KB and refuses more (counted in UTF-8 bytes)', () => {
    const meeting = given(created(), joined('p1'));
    const send = (content: string) =>
      meeting.when({ type: 'SendChatMessage', messageId: 'c', content }, as('p1'));
    const accepted = (content: string) =>
      expect(() =>
        send(content).then([
          { type: 'ChatMessageSent', data: { messageId: 'c', senderId: 'p1', senderName: 'P1', content } },
        ]),
      ).not.toThrow();
    accepted('a'.repeat(MAX_CHAT_BYTES));
    send('é'.repeat(MAX_CHAT_BYTES / 2 + 1)).thenError('CONFER_CHAT_TOO_LONG', 'message');
    // Three bytes a code unit (the most one unit can take) and four a surrogate pair, at the limit
    // and one character past it.
    const threeByte = Math.floor(MAX_CHAT_BYTES / 3);
    accepted('€'.repeat(threeByte));
    send('€'.repeat(threeByte + 1)).thenError('CONFER_CHAT_TOO_LONG', 'message');
    send('😀'.repeat(Math.floor(MAX_CHAT_BYTES / 4) + 1)).thenError('CONFER_CHAT_TOO_LONG', 'message');
  });
  it('refuses chat from someone who left, from the bare host token, and after the end', () => {
    given(created(), joined('p1'), { type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'left' } })
      .when({ type: 'SendChatMessage', messageId: 'c', content: 'hi' }, as('p1'))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED');
    given(created())
      .when({ type: 'SendChatMessage', messageId: 'c', content: 'hi' }, host)
      .thenError('CONFER_FORBIDDEN');
    given(created(), joined('p1'), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when({ type: 'SendChatMessage', messageId: 'c', content: 'hi' }, as('p1'))
      .thenError('CONFER_MEETING_ENDED');
  });
  it('counts messages in order', () => {
    const s = given(
      created(),
      joined('p1'),
      { type: 'ChatMessageSent', data: { messageId: 'a', senderId: 'p1', senderName: 'P1', content: '1' } },
      { type: 'ChatMessageSent', data: { messageId: 'b', senderId: 'p1', senderName: 'P1', content: '2' } },
    ).state;
    expect(s.chatCount).toBe(2);
  });
});

describe('Hands', () => {
  it('raises and lowers one’s own hand, once', () => {
    given(created(), joined('p1'))
      .when({ type: 'RaiseHand', participantId: 'p1' }, as('p1'))
      .then([{ type: 'HandRaised', data: { participantId: 'p1' } }]);
    given(created(), joined('p1'), { type: 'HandRaised', data: { participantId: 'p1' } })
      .when({ type: 'RaiseHand', participantId: 'p1' }, as('p1'))
      .thenNothing();
    given(created(), joined('p1'), { type: 'HandRaised', data: { participantId: 'p1' } })
      .when({ type: 'LowerHand', participantId: 'p1' }, as('p1'))
      .then([{ type: 'HandLowered', data: { participantId: 'p1' } }]);
  });
  it('lets the host lower anyone’s hand but nobody raise another’s', () => {
    given(created(), joined('p1'), { type: 'HandRaised', data: { participantId: 'p1' } })
      .when({ type: 'LowerHand', participantId: 'p1' }, host)
      .then([{ type: 'HandLowered', data: { participantId: 'p1' } }]);
    given(created(), joined('p1'), joined('p2'))
      .when({ type: 'RaiseHand', participantId: 'p1' }, as('p2', true))
      .thenError('CONFER_FORBIDDEN');
    given(created(), joined('p1'), joined('p2'), { type: 'HandRaised', data: { participantId: 'p1' } })
      .when({ type: 'LowerHand', participantId: 'p1' }, as('p2'))
      .thenError('CONFER_FORBIDDEN');
  });
});

describe('RemoveParticipant', () => {
  it('removes (host only), idempotently', () => {
    given(created(), joined('p1'))
      .when({ type: 'RemoveParticipant', participantId: 'p1' }, host)
      .then([{ type: 'ParticipantRemoved', data: { participantId: 'p1' } }]);
    given(created(), joined('p1'), { type: 'ParticipantRemoved', data: { participantId: 'p1' } })
      .when({ type: 'RemoveParticipant', participantId: 'p1' }, host)
      .thenNothing();
    given(created(), joined('p1'), joined('p2'))
      .when({ type: 'RemoveParticipant', participantId: 'p1' }, as('p2'))
      .thenError('CONFER_FORBIDDEN');
  });
  it('frees the removed participant’s seat and clears their state', () => {
    const s = given(
      created(),
      joined('p1'),
      { type: 'HandRaised', data: { participantId: 'p1' } },
      {
        type: 'ParticipantRemoved',
        data: { participantId: 'p1' },
      },
    ).state;
    expect(s.joinedCount).toBe(0);
    expect(s.participants['p1']).toMatchObject({
      status: 'removed',
      handRaised: false,
      connectionStatus: 'disconnected',
    });
  });
});

describe('EndMeeting', () => {
  it('makes everyone leave, then ends (host only)', () => {
    given(
      created(),
      joined('h', 'host'),
      joined('p1'),
      { type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'left' } },
      joined('p2'),
    )
      .when({ type: 'EndMeeting' }, as('h', true))
      .then([
        { type: 'ParticipantLeft', data: { participantId: 'h', reason: 'meeting-ended' } },
        { type: 'ParticipantLeft', data: { participantId: 'p2', reason: 'meeting-ended' } },
        { type: 'MeetingEnded', data: { reason: 'host-ended' } },
      ]);
  });
  it('refuses a non-host and is a no-op once ended', () => {
    given(created(), joined('p1')).when({ type: 'EndMeeting' }, as('p1')).thenError('CONFER_FORBIDDEN');
    given(created(), { type: 'MeetingEnded', data: { reason: 'host-ended' } })
      .when({ type: 'EndMeeting' }, host)
      .thenNothing();
  });
  it('leaves no one present in the ended state', () => {
    const s = given(
      created(),
      joined('p1'),
      { type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'meeting-ended' } },
      {
        type: 'MeetingEnded',
        data: { reason: 'host-ended' },
      },
    ).state;
    expect(s.status).toBe('ended');
    expect(s.joinedCount).toBe(0);
  });
});

describe('Connection status, active speaker and published media', () => {
  it('records connection changes of present participants only', () => {
    given(created(), joined('p1'))
      .when({ type: 'SetConnectionStatus', participantId: 'p1', connectionStatus: 'connected' }, as('p1'))
      .then([
        {
          type: 'ParticipantConnectionChanged',
          data: { participantId: 'p1', connectionStatus: 'connected', nodeId: null },
        },
      ]);
    given(created(), joined('p1'), { type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'left' } })
      .when({ type: 'SetConnectionStatus', participantId: 'p1', connectionStatus: 'connected' }, as('p1'))
      .thenError('CONFER_PARTICIPANT_NOT_JOINED');
  });
  it('records the node a participant connects through, and a move to another node', () => {
    const onA = {
      type: 'ParticipantConnectionChanged' as const,
      data: { participantId: 'p1', connectionStatus: 'connected' as const, nodeId: 'a' },
    };
    const connect = (nodeId: string) => ({
      type: 'SetConnectionStatus' as const,
      participantId: 'p1',
      connectionStatus: 'connected' as const,
      nodeId,
    });
    const lostOn = (nodeId?: string) => ({
      type: 'SetConnectionStatus' as const,
      participantId: 'p1',
      connectionStatus: 'reconnecting' as const,
      ...(nodeId ? { nodeId } : {}),
    });
    given(created(), joined('p1')).when(connect('a'), as('p1')).then([onA]);
    given(created(), joined('p1'), onA).when(connect('a'), as('p1')).thenNothing();
    // Still "connected" as far as the stream knows (node A died): reconnecting through B is news.
    given(created(), joined('p1'), onA)
      .when(connect('b'), as('p1'))
      .then([{ ...onA, data: { ...onA.data, nodeId: 'b' } }]);
    // A's socket dropping: reconnecting, and A stays on record as the last node.
    const lostA = { ...onA, data: { ...onA.data, connectionStatus: 'reconnecting' as const } };
    given(created(), joined('p1'), onA).when(lostOn('a'), system).then([lostA]);
    given(created(), joined('p1'), onA).when(lostOn(), system).then([lostA]);
    given(created(), joined('p1'), onA, lostA).when(lostOn('a'), system).thenNothing();
    given(created(), joined('p1'), onA, lostA).when(connect('a'), as('p1')).then([onA]);
    // Back through B before A noticed the old socket dropping: A's late report changes nothing.
    const onB = { ...onA, data: { ...onA.data, nodeId: 'b' } };
    given(created(), joined('p1'), onA, onB).when(lostOn('a'), system).thenNothing();
  });
  it('ends the media a participant published through a node they no longer connect through', () => {
    const onA = {
      type: 'ParticipantConnectionChanged' as const,
      data: { participantId: 'p1', connectionStatus: 'connected' as const, nodeId: 'a' },
    };
    const published = (producerId: string, nodeId: string | null) => ({
      type: 'MediaPublished' as const,
      data: {
        participantId: 'p1',
        producerId,
        source: 'camera' as const,
        kind: 'video' as const,
        paused: false,
        nodeId,
      },
    });
    const state = given(created(), joined('p1'), onA, published('cam-a', 'a'), published('old', null));
    state
      .when(
        { type: 'SetConnectionStatus', participantId: 'p1', connectionStatus: 'connected', nodeId: 'b' },
        as('p1'),
      )
      .then([
        // Media of unknown origin (recorded before nodes were named) is left to its SFU.
        { type: 'MediaUnpublished', data: { participantId: 'p1', producerId: 'cam-a' } },
        { ...onA, data: { ...onA.data, nodeId: 'b' } },
      ]);
    expect(Object.keys(state.state.participants['p1']?.media ?? {})).toEqual(['cam-a', 'old']);
  });
  it('takes the active speaker from the system only', () => {
    given(created(), joined('p1'))
      .when({ type: 'ChangeActiveSpeaker', participantId: 'p1' }, system)
      .then([{ type: 'ActiveSpeakerChanged', data: { participantId: 'p1' } }]);
    given(created(), joined('p1'))
      .when({ type: 'ChangeActiveSpeaker', participantId: 'p1' }, as('p1'))
      .thenError('CONFER_FORBIDDEN');
  });
  it('records who published what, once', () => {
    const publish = {
      type: 'PublishMedia' as const,
      participantId: 'p1',
      producerId: 'pr1',
      source: 'camera' as const,
      kind: 'video' as const,
      paused: false,
    };
    const { type: _command, ...fields } = publish;
    given(created(), joined('p1'))
      .when(publish, as('p1'))
      .then([
        {
          type: 'MediaPublished',
          data: {
            participantId: 'p1',
            producerId: 'pr1',
            source: 'camera',
            kind: 'video',
            paused: false,
            nodeId: null,
          },
        },
      ]);
    given(created(), joined('p1'))
      .when({ ...publish, nodeId: 'node-b' }, as('p1'))
      .then([{ type: 'MediaPublished', data: { ...fields, nodeId: 'node-b' } }]);
    const published = { type: 'MediaPublished' as const, data: { ...fields, nodeId: null } };
    given(created(), joined('p1'), published).when(publish, as('p1')).thenNothing();
    given(created(), joined('p1'), joined('p2')).when(publish, as('p2')).thenError('CONFER_FORBIDDEN');
    given(created(), joined('p1'), published)
      .when({ type: 'UnpublishMedia', participantId: 'p1', producerId: 'pr1' }, as('p1'))
      .then([{ type: 'MediaUnpublished', data: { participantId: 'p1', producerId: 'pr1' } }]);
  });
});

describe('Media placement', () => {
  const assign = (nodeId: string, replacing: string | null) => ({
    type: 'AssignMediaNode' as const,
    nodeId,
    url: `http://${nodeId}`,
    replacing,
  });
  it('places a meeting on a node, once, by the platform only', () => {
    given(created())
      .when(assign('a', null), system)
      .then([{ type: 'MediaNodeAssigned', data: { nodeId: 'a', url: 'http://a', previousNodeId: null } }]);
    given(created(), {
      type: 'MediaNodeAssigned',
      data: { nodeId: 'a', url: 'http://a', previousNodeId: null },
    })
      .when(assign('a', 'a'), system)
      .thenNothing();
    given(created()).when(assign('a', null), host).thenError('CONFER_FORBIDDEN');
  });
  it('moves only from the node it was told about (compare and set)', () => {
    const placed = {
      type: 'MediaNodeAssigned' as const,
      data: { nodeId: 'a', url: 'http://a', previousNodeId: null },
    };
    given(created(), placed)
      .when(assign('b', 'a'), system)
      .then([{ type: 'MediaNodeAssigned', data: { nodeId: 'b', url: 'http://b', previousNodeId: 'a' } }]);
    given(created(), placed).when(assign('b', null), system).thenNothing();
    expect(given(created(), placed).state.mediaNode).toEqual({ nodeId: 'a', url: 'http://a' });
  });
});

describe('Participant placement (cascading a meeting over nodes)', () => {
  const home = {
    type: 'MediaNodeAssigned' as const,
    data: { nodeId: 'a', url: 'http://a', previousNodeId: null },
  };
  const node = (nodeId: string) => ({ nodeId, url: `http://${nodeId}` });
  const place = (participantId: string, nodeIds: string[], perNode = 2) => ({
    type: 'PlaceParticipant' as const,
    participantId,
    candidates: nodeIds.map(node),
    perNode,
  });
  const placed = (participantId: string, nodeId: string, previousNodeId: string | null = null) => ({
    type: 'ParticipantPlaced' as const,
    data: { participantId, nodeId, url: `http://${nodeId}`, previousNodeId },
  });

  it('gathers a meeting on its media node until that node carries its share', () => {
    // b is the least loaded node of the deployment, but the meeting lives on a.
    given(created(), home, joined('p1'))
      .when(place('p1', ['b', 'a']), system)
      .then([placed('p1', 'a')]);
    given(created(), home, joined('p1'), placed('p1', 'a'), joined('p2'))
      .when(place('p2', ['b', 'a']), system)
      .then([placed('p2', 'a')]);
  });
  it('cascades to the least loaded other node, then fills the nodes the meeting already uses', () => {
    const full = [created(), home, joined('p1'), placed('p1', 'a'), joined('p2'), placed('p2', 'a')];
    given(...full, joined('p3'))
      .when(place('p3', ['c', 'b', 'a']), system)
      .then([placed('p3', 'c')]);
    // A node the meeting already uses comes before a less loaded one it does not.
    given(...full, joined('p3'), placed('p3', 'b'), joined('p4'))
      .when(place('p4', ['c', 'b', 'a']), system)
      .then([placed('p4', 'b')]);
  });
  it('frees a place when someone leaves, and overflows to the least full node when all are full', () => {
    const left = { type: 'ParticipantLeft' as const, data: { participantId: 'p1', reason: 'left' as const } };
    given(
      created(),
      home,
      joined('p1'),
      placed('p1', 'a'),
      joined('p2'),
      placed('p2', 'a'),
      left,
      joined('p3'),
    )
      .when(place('p3', ['b', 'a']), system)
      .then([placed('p3', 'a')]);
    given(created(), home, joined('p1'), placed('p1', 'a'), joined('p2'), placed('p2', 'b'), joined('p3'))
      .when(place('p3', ['a', 'b'], 1), system)
      .then([placed('p3', 'a')]);
  });
  it('keeps a placement while its node is live, and moves it when that node is gone', () => {
    const history = [created(), home, joined('p1'), placed('p1', 'a')];
    given(...history)
      .when(place('p1', ['a', 'b']), system)
      .thenNothing();
    given(...history)
      .when(place('p1', ['b']), system)
      .then([placed('p1', 'b', 'a')]);
  });
  it('places waiting participants too, keeps admitted ones where they are, and only for the platform', () => {
    const history = [created({ waitingRoom: true }), home, waiting('p1')];
    given(...history)
      .when(place('p1', ['a']), system)
      .then([placed('p1', 'a')]);
    const connected = {
      type: 'ParticipantConnectionChanged' as const,
      data: { participantId: 'p1', connectionStatus: 'connected' as const, nodeId: 'a' },
    };
    const admitted = given(...history, placed('p1', 'a'), connected, joined('p1')).state.participants['p1'];
    expect(admitted).toMatchObject({
      status: 'joined',
      connectionStatus: 'connected',
      connectedNode: 'a',
      placedNode: node('a'),
    });
    given(...history)
      .when(place('p1', ['a']), host)
      .thenError('CONFER_FORBIDDEN');
    given(created(), home)
      .when(place('nobody', ['a']), system)
      .thenError('CONFER_PARTICIPANT_NOT_FOUND');
  });
});

describe('Sweeping participants of a node that is gone', () => {
  const onA = {
    type: 'ParticipantConnectionChanged' as const,
    data: { participantId: 'p1', connectionStatus: 'connected' as const, nodeId: 'a' },
  };
  const camera = {
    type: 'MediaPublished' as const,
    data: {
      participantId: 'p1',
      producerId: 'cam',
      source: 'camera' as const,
      kind: 'video' as const,
      paused: false,
      nodeId: 'a',
    },
  };
  const sweep = (leave: boolean, nodeId = 'a') => ({
    type: 'SweepLostConnection' as const,
    participantId: 'p1',
    nodeId,
    leave,
  });
  const unpublished = { type: 'MediaUnpublished' as const, data: { participantId: 'p1', producerId: 'cam' } };
  const reconnecting = { ...onA, data: { ...onA.data, connectionStatus: 'reconnecting' as const } };

  it('ends their media there and shows them reconnecting, then gone after the grace period', () => {
    given(created(), joined('p1'), onA, camera).when(sweep(false), system).then([unpublished, reconnecting]);
    // Never shown reconnecting: that comes first, even when the grace period is said to be over.
    given(created(), joined('p1'), onA, camera).when(sweep(true), system).then([unpublished, reconnecting]);
    given(created(), joined('p1'), onA, unpublished, reconnecting).when(sweep(false), system).thenNothing();
    given(created(), joined('p1'), onA, unpublished, reconnecting)
      .when(sweep(true), system)
      .then([{ type: 'ParticipantLeft', data: { participantId: 'p1', reason: 'disconnected' } }]);
  });
  it('leaves alone whoever came back through another node, or already left', () => {
    const onB = { ...onA, data: { ...onA.data, nodeId: 'b' } };
    given(created(), joined('p1'), onA, onB).when(sweep(true), system).thenNothing();
    given(created(), joined('p1'), onA, {
      type: 'ParticipantLeft',
      data: { participantId: 'p1', reason: 'left' },
    })
      .when(sweep(true), system)
      .thenNothing();
    given(created(), joined('p1'), onA).when(sweep(true), as('p1')).thenError('CONFER_FORBIDDEN');
  });
});
