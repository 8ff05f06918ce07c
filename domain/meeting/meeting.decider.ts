import { actorParticipantId, type Actor } from '../shared/actor';
import { ConferError } from '../shared/errors';
import { textProblem } from '../shared/text';
import { MAX_CHAT_BYTES, type MeetingCommand, type MeetingCommandOf } from './meeting.commands';
import type { MeetingEvent, RecordedMeetingEvent } from './meeting.events';
import { arrivalKeys, assertMayArrive, assertMayKnock, nextCooldown } from './admission';
import { assertHost, assertModerator } from './host-authority';
import { decideHost, evolveHost, isHostCommand, isHostEvent } from './host.decide';
import { withSuccession } from './host-succession';
import { initialMeetingState, isPresent, type MeetingState, type ParticipantState } from './meeting.state';
import {
  decideRecording,
  evolveRecording,
  isRecordingCommand,
  isRecordingEvent,
  recordingStopsOnEnd,
} from './recording.decide';
import { decideStage, evolveStage, isStageCommand, isStageEvent, spotlightGoesWith } from './stage.decide';

/**
 * The meeting decider: pure functions from (command, state) to new facts, and from (state, fact)
 * to the next state. Every business rule of a meeting lives here and nowhere else.
 */
export const meetingDecider = {
  initialState: initialMeetingState,
  decide,
  evolve,
};

const utf8 = new TextEncoder();

export function decide(command: MeetingCommand, state: MeetingState, actor: Actor): MeetingEvent[] {
  if (command.type === 'CreateMeeting') return create(command, state);
  if (state.status === 'none') throw new ConferError('CONFER_MEETING_NOT_FOUND');
  // Recording has its own rules (processing goes on after the meeting has ended).
  if (isRecordingCommand(command)) return decideRecording(command, state, actor);
  if (state.status === 'ended') {
    // Leaving or ending an ended meeting is a no-op, so that retries and late clients are harmless.
    if (command.type === 'LeaveMeeting' || command.type === 'EndMeeting') return [];
    throw new ConferError('CONFER_MEETING_ENDED');
  }
  if (isHostCommand(command)) return decideHost(command, state, actor);
  if (isStageCommand(command)) return decideStage(command, state, actor);
  switch (command.type) {
    case 'JoinMeeting':
      return join(command, state, actor);
    case 'AdmitParticipant':
      return admit(command, state, actor);
    case 'DenyParticipant':
      return deny(command, state, actor);
    case 'LeaveMeeting':
      return leave(command, state, actor);
    case 'RemoveParticipant':
      return remove(command, state, actor);
    case 'ChangeMediaState':
      return changeMedia(command, state, actor);
    case 'SendChatMessage':
      return chat(command, state, actor);
    case 'RaiseHand':
      return raiseHand(command, state, actor);
    case 'LowerHand':
      return lowerHand(command, state, actor);
    case 'SetConnectionStatus':
      return setConnection(command, state, actor);
    case 'ChangeActiveSpeaker':
      return activeSpeaker(command, state, actor);
    case 'PublishMedia':
      return publish(command, state, actor);
    case 'UnpublishMedia':
      return unpublish(command, state, actor);
    case 'EndMeeting':
      return end(state, actor);
    case 'AssignMediaNode':
      return assignNode(command, state, actor);
    case 'PlaceParticipant':
      return placeParticipant(command, state, actor);
    case 'SweepLostConnection':
      // A host whose connection is lost for good passes the role on (host-succession.ts).
      return withSuccession(sweepLostConnection(command, state, actor), state);
    case 'RecordPasscodeLockout':
      return recordPasscodeLockout(command, actor);
    default:
      // Recording and host commands were decided above; this keeps the switch exhaustive.
      return isHostCommand(command)
        ? decideHost(command, state, actor)
        : decideRecording(command, state, actor);
  }
}

function recordPasscodeLockout(
  command: MeetingCommandOf<'RecordPasscodeLockout'>,
  actor: Actor,
): MeetingEvent[] {
  if (actor.type !== 'system') throw new ConferError('CONFER_FORBIDDEN', 'Only the system records lockouts');
  const { scope, failures, lockedForSeconds, client } = command;
  return [{ type: 'PasscodeLockoutStarted', data: { scope, failures, lockedForSeconds, client } }];
}

/** Text that reaches the store is valid Unicode without control characters, whatever the edge. */
function assertText(value: string | null, field: string, multiline = false): void {
  const problem = value === null ? undefined : textProblem(value, multiline);
  if (problem) throw new ConferError('CONFER_VALIDATION_FAILED', `${field}: ${problem}`, field);
}

function assignNode(
  command: MeetingCommandOf<'AssignMediaNode'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  if (actor.type !== 'system') throw new ConferError('CONFER_FORBIDDEN', 'Only the platform places meetings');
  const current = state.mediaNode?.nodeId ?? null;
  if (current === command.nodeId && state.mediaNode?.url === command.url) return [];
  // Compare-and-set: two nodes placing at once, or moving away from a node that is in fact back,
  // must not flap the meeting between nodes; the loser re-reads the placement.
  if (current !== command.replacing) return [];
  return [
    {
      type: 'MediaNodeAssigned',
      data: { nodeId: command.nodeId, url: command.url, previousNodeId: current },
    },
  ];
}

/**
 * Where one participant connects. The meeting gathers on its media node; a node already carrying
 * `perNode` of the meeting's present participants is full for it, and the participant goes to a
 * node the meeting already uses, else to the least loaded other candidate: the meeting cascades.
 * Counted here, from the stream, so that a burst of joins through several nodes is placed exactly.
 */
function placeParticipant(
  command: MeetingCommandOf<'PlaceParticipant'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  if (actor.type !== 'system') throw new ConferError('CONFER_FORBIDDEN', 'Only the platform places meetings');
  const target = requireParticipant(state, command.participantId);
  if (!isPresent(target)) throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED', undefined, 'participantId');
  const { candidates, perNode } = command;
  const current = target.placedNode;
  if (current && candidates.some((c) => c.nodeId === current.nodeId && c.url === current.url)) return [];
  const carried = new Map<string, number>();
  for (const p of Object.values(state.participants)) {
    if (p.participantId === target.participantId || !isPresent(p) || !p.placedNode) continue;
    carried.set(p.placedNode.nodeId, (carried.get(p.placedNode.nodeId) ?? 0) + 1);
  }
  const home = state.mediaNode?.nodeId;
  const rank = (nodeId: string) => (nodeId === home ? 0 : carried.has(nodeId) ? 1 : 2);
  const ordered = candidates
    .map((candidate, order) => ({ candidate, order, count: carried.get(candidate.nodeId) ?? 0 }))
    .sort((a, b) => rank(a.candidate.nodeId) - rank(b.candidate.nodeId) || a.order - b.order);
  // Every node full: the one carrying the fewest takes the overflow (the meeting is never refused here).
  const chosen =
    ordered.find((c) => c.count < perNode) ?? ordered.reduce((best, c) => (c.count < best.count ? c : best));
  const { nodeId, url } = chosen.candidate;
  return [
    {
      type: 'ParticipantPlaced',
      data: { participantId: target.participantId, nodeId, url, previousNodeId: current?.nodeId ?? null },
    },
  ];
}

/**
 * A participant's connection through a node is lost for good (the node is gone, or the grace
 * period ran out there): their media there is over; they are shown reconnecting, and once that is
 * on record and the grace period has passed (`leave`) they have left. Nothing happens once they
 * are back, through this node or another.
 */
function sweepLostConnection(
  command: MeetingCommandOf<'SweepLostConnection'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  if (actor.type !== 'system') throw new ConferError('CONFER_FORBIDDEN', 'Only the platform sweeps');
  const target = state.participants[command.participantId];
  if (!isPresent(target) || target.connectedNode !== command.nodeId) return [];
  const { participantId } = target;
  const unpublished: MeetingEvent[] = Object.values(target.media)
    .filter((m) => m.nodeId === command.nodeId)
    .map((m) => ({ type: 'MediaUnpublished', data: { participantId, producerId: m.producerId } }));
  if (target.connectionStatus === 'reconnecting') {
    if (!command.leave) return unpublished;
    return [
      ...unpublished,
      { type: 'ParticipantLeft', data: { participantId, reason: 'disconnected' } },
      ...spotlightGoesWith(state, participantId),
    ];
  }
  // Shown connected until now: reconnecting first, whatever was asked, so nobody vanishes unannounced.
  return [
    ...unpublished,
    {
      type: 'ParticipantConnectionChanged',
      data: { participantId, connectionStatus: 'reconnecting', nodeId: command.nodeId },
    },
  ];
}

function create(command: MeetingCommandOf<'CreateMeeting'>, state: MeetingState): MeetingEvent[] {
  if (state.status !== 'none') throw new ConferError('CONFER_MEETING_ALREADY_EXISTS');
  const { meetingId, title, startTime, hostUserId, settings } = command;
  assertText(title, 'title');
  assertText(hostUserId, 'hostUserId');
  return [{ type: 'MeetingCreated', data: { meetingId, title, startTime, hostUserId, settings } }];
}

function join(command: MeetingCommandOf<'JoinMeeting'>, state: MeetingState, actor: Actor): MeetingEvent[] {
  const existing = state.participants[command.participantId];
  if (existing) {
    // Same id again is a retried request: answer with nothing new rather than a second participant.
    if (isPresent(existing)) return [];
    throw new ConferError('CONFER_PARTICIPANT_ALREADY_JOINED');
  }
  const asHost = actor.type === 'host' || actor.type === 'system';
  const { participantId, displayName, userId } = command;
  const deviceId = command.deviceId ?? null;
  assertText(displayName, 'displayName');
  assertText(userId, 'userId');
  assertText(deviceId, 'deviceId');
  if (!asHost) {
    const arrival = { deviceId, userId, requestedAt: command.requestedAt ?? null };
    assertMayArrive(state, arrival);
    const digest = state.settings.passcodeDigest;
    if (digest !== null && command.passcodeDigest !== digest) {
      throw new ConferError('CONFER_PASSCODE_INVALID', undefined, 'passcode');
    }
    if (state.settings.waitingRoom) {
      assertMayKnock(state, arrival);
      return [{ type: 'ParticipantWaiting', data: { participantId, displayName, userId, deviceId } }];
    }
    assertCapacity(state);
  }
  return [
    {
      type: 'ParticipantJoined',
      data: {
        participantId,
        displayName,
        userId,
        role: asHost ? 'host' : 'participant',
        deviceId,
        audioEnabled: command.audioEnabled && !(state.settings.muteOnEntry && !asHost),
        videoEnabled: command.videoEnabled && !(state.settings.videoOffOnEntry && !asHost),
      },
    },
  ];
}

function admit(
  command: MeetingCommandOf<'AdmitParticipant'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertModerator(actor, state);
  const target = requireParticipant(state, command.participantId);
  if (target.status === 'joined') return [];
  if (target.status !== 'waiting')
    throw new ConferError('CONFER_PARTICIPANT_NOT_WAITING', undefined, 'participantId');
  assertCapacity(state);
  const { participantId, displayName, userId, deviceId } = target;
  return [
    { type: 'ParticipantAdmitted', data: { participantId } },
    {
      type: 'ParticipantJoined',
      data: {
        participantId,
        displayName,
        userId,
        role: 'participant',
        deviceId,
        audioEnabled: !state.settings.muteOnEntry,
        videoEnabled: !state.settings.videoOffOnEntry,
      },
    },
  ];
}

function deny(
  command: MeetingCommandOf<'DenyParticipant'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertModerator(actor, state);
  const target = requireParticipant(state, command.participantId);
  if (target.status === 'denied') return [];
  if (target.status !== 'waiting')
    throw new ConferError('CONFER_PARTICIPANT_NOT_WAITING', undefined, 'participantId');
  return [{ type: 'ParticipantDenied', data: { participantId: target.participantId } }];
}

function leave(command: MeetingCommandOf<'LeaveMeeting'>, state: MeetingState, actor: Actor): MeetingEvent[] {
  assertSelfOrSystem(actor, command.participantId);
  const target = requireParticipant(state, command.participantId);
  // Gone already: a retried leave, with or without a successor, changes nothing.
  if (!isPresent(target)) return [];
  const successor = command.successorId === undefined ? undefined : chosenSuccessor(command, target, state);
  const left: MeetingEvent[] = [
    { type: 'ParticipantLeft', data: { participantId: target.participantId, reason: command.reason } },
    ...spotlightGoesWith(state, target.participantId),
  ];
  // The last host never strands the meeting: the role passes on (host-succession.ts).
  return withSuccession(left, state, successor);
}

/** A leaving host's named successor: another admitted participant still in the meeting. */
function chosenSuccessor(
  command: MeetingCommandOf<'LeaveMeeting'>,
  leaving: ParticipantState,
  state: MeetingState,
): ParticipantState {
  if (leaving.status !== 'joined' || leaving.role !== 'host')
    throw new ConferError('CONFER_FORBIDDEN', 'Only a host hands the host role over', 'successorId');
  const successor = state.participants[command.successorId ?? ''];
  if (!successor || successor.status !== 'joined' || successor.participantId === leaving.participantId)
    throw new ConferError(
      'CONFER_PARTICIPANT_NOT_JOINED',
      'successorId: not another participant in the meeting',
      'successorId',
    );
  return successor;
}

function remove(
  command: MeetingCommandOf<'RemoveParticipant'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  const authority = assertModerator(actor, state);
  const target = requireParticipant(state, command.participantId);
  if (!isPresent(target)) return [];
  if (actorParticipantId(actor) === target.participantId)
    throw new ConferError('CONFER_FORBIDDEN', 'Leave rather than remove yourself', 'participantId');
  if (authority === 'co-host' && target.status === 'joined' && target.role === 'host')
    throw new ConferError('CONFER_FORBIDDEN', 'A co-host cannot remove the host', 'participantId');
  return [
    { type: 'ParticipantRemoved', data: { participantId: target.participantId } },
    ...spotlightGoesWith(state, target.participantId),
  ];
}

function changeMedia(
  command: MeetingCommandOf<'ChangeMediaState'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  const self = actorParticipantId(actor) === command.participantId;
  if (!self) {
    assertModerator(actor, state);
    // Privacy: nobody but the participant can turn their microphone or camera on.
    if (command.enabled) throw new ConferError('CONFER_HOST_CANNOT_UNMUTE_OTHERS', undefined, 'enabled');
  }
  const target = requireJoined(state, command.participantId);
  const current =
    command.kind === 'audio'
      ? target.audioEnabled
      : command.kind === 'video'
        ? target.videoEnabled
        : target.screenSharing;
  if (current === command.enabled) {
    // A host's second click is told so; a participant's own repeat is harmless.
    if (!self) throw new ConferError('CONFER_NOTHING_TO_CHANGE', `That is already off`, 'participantId');
    return [];
  }
  const { participantId, kind, enabled } = command;
  return [{ type: 'MediaStateChanged', data: { participantId, kind, enabled } }];
}

function chat(
  command: MeetingCommandOf<'SendChatMessage'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  const senderId = actorParticipantId(actor);
  if (senderId === undefined) throw new ConferError('CONFER_FORBIDDEN', 'Only participants can chat');
  const sender = requireJoined(state, senderId);
  const content = command.content.trim();
  if (content.length === 0) throw new ConferError('CONFER_CHAT_EMPTY', undefined, 'message');
  assertText(content, 'message', true);
  // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair's two are 4): only a message
  // that could be too long is encoded to be measured, not every chat.
  if (content.length * 3 > MAX_CHAT_BYTES && utf8.encode(content).length > MAX_CHAT_BYTES)
    throw new ConferError('CONFER_CHAT_TOO_LONG', undefined, 'message');
  return [
    {
      type: 'ChatMessageSent',
      data: { messageId: command.messageId, senderId, senderName: sender.displayName, content },
    },
  ];
}

function raiseHand(
  command: MeetingCommandOf<'RaiseHand'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertSelf(actor, command.participantId);
  const target = requireJoined(state, command.participantId);
  if (target.handRaised) return [];
  return [{ type: 'HandRaised', data: { participantId: target.participantId } }];
}

function lowerHand(
  command: MeetingCommandOf<'LowerHand'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  if (actorParticipantId(actor) !== command.participantId) assertModerator(actor, state);
  const target = requireJoined(state, command.participantId);
  if (!target.handRaised) return [];
  return [{ type: 'HandLowered', data: { participantId: target.participantId } }];
}

function setConnection(
  command: MeetingCommandOf<'SetConnectionStatus'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertSelfOrSystem(actor, command.participantId);
  const target = requireParticipant(state, command.participantId);
  if (!isPresent(target)) throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED', undefined, 'participantId');
  const { participantId, connectionStatus } = command;
  const current = target.connectedNode;
  if (connectionStatus === 'reconnecting') {
    // A node reporting a lost socket after the participant came back through another node is late news.
    if (command.nodeId !== undefined && current !== null && command.nodeId !== current) return [];
    if (target.connectionStatus === 'reconnecting') return [];
    return [
      { type: 'ParticipantConnectionChanged', data: { participantId, connectionStatus, nodeId: current } },
    ];
  }
  const nodeId = command.nodeId ?? current;
  if (target.connectionStatus === 'connected' && current === nodeId) return [];
  // A participant's media lives on the node they are connected through: what they published
  // through another node ended with that connection, even if that node could not record it.
  const stranded = nodeId === current ? [] : unpublishHostedElsewhere(target, nodeId);
  return [
    ...stranded,
    { type: 'ParticipantConnectionChanged', data: { participantId, connectionStatus, nodeId } },
  ];
}

/** MediaUnpublished for the participant's media hosted on a named node other than `nodeId`. */
function unpublishHostedElsewhere(target: ParticipantState, nodeId: string | null): MeetingEvent[] {
  return Object.values(target.media)
    .filter((m) => m.nodeId !== null && m.nodeId !== nodeId)
    .map((m) => ({
      type: 'MediaUnpublished',
      data: { participantId: target.participantId, producerId: m.producerId },
    }));
}

function activeSpeaker(
  command: MeetingCommandOf<'ChangeActiveSpeaker'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  if (actor.type !== 'system')
    throw new ConferError('CONFER_FORBIDDEN', 'Only the SFU reports the active speaker');
  if (state.activeSpeakerId === command.participantId) return [];
  if (command.participantId !== null) requireJoined(state, command.participantId);
  return [{ type: 'ActiveSpeakerChanged', data: { participantId: command.participantId } }];
}

function publish(
  command: MeetingCommandOf<'PublishMedia'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertSelf(actor, command.participantId);
  const target = requireJoined(state, command.participantId);
  if (target.media[command.producerId]) return [];
  const { participantId, producerId, source, kind, paused } = command;
  const nodeId = command.nodeId ?? null;
  return [{ type: 'MediaPublished', data: { participantId, producerId, source, kind, paused, nodeId } }];
}

function unpublish(
  command: MeetingCommandOf<'UnpublishMedia'>,
  state: MeetingState,
  actor: Actor,
): MeetingEvent[] {
  assertSelfOrSystem(actor, command.participantId);
  const target = requireParticipant(state, command.participantId);
  if (!target.media[command.producerId]) return [];
  return [
    {
      type: 'MediaUnpublished',
      data: { participantId: command.participantId, producerId: command.producerId },
    },
  ];
}

function end(state: MeetingState, actor: Actor): MeetingEvent[] {
  assertHost(actor, state);
  // Everyone leaves first, so that every consumer that only follows joins and leaves stays right.
  const leaves: MeetingEvent[] = Object.values(state.participants)
    .filter(isPresent)
    .map((p) => ({
      type: 'ParticipantLeft',
      data: { participantId: p.participantId, reason: 'meeting-ended' },
    }));
  return [...leaves, ...recordingStopsOnEnd(state), { type: 'MeetingEnded', data: { reason: 'host-ended' } }];
}

// ── Rules shared by several commands ──────────────────────────────────────────

function assertSelf(actor: Actor, participantId: string): void {
  if (actorParticipantId(actor) !== participantId) {
    throw new ConferError('CONFER_FORBIDDEN', 'A participant can only act for themselves', 'participantId');
  }
}

function assertSelfOrSystem(actor: Actor, participantId: string): void {
  if (actor.type !== 'system') assertSelf(actor, participantId);
}

function assertCapacity(state: MeetingState): void {
  if (state.joinedCount >= state.settings.maxParticipants) throw new ConferError('CONFER_MEETING_FULL');
}

function requireParticipant(state: MeetingState, participantId: string): ParticipantState {
  const p = state.participants[participantId];
  if (!p) throw new ConferError('CONFER_PARTICIPANT_NOT_FOUND', undefined, 'participantId');
  return p;
}

function requireJoined(state: MeetingState, participantId: string): ParticipantState {
  const p = requireParticipant(state, participantId);
  if (p.status !== 'joined')
    throw new ConferError('CONFER_PARTICIPANT_NOT_JOINED', undefined, 'participantId');
  return p;
}

// ── evolve ────────────────────────────────────────────────────────────────────

export function evolve(state: MeetingState, event: RecordedMeetingEvent): MeetingState {
  if (isRecordingEvent(event)) return evolveRecording(state, event);
  if (isHostEvent(event)) return evolveHost(state, event);
  if (isStageEvent(event)) return evolveStage(state, event);
  switch (event.type) {
    case 'MeetingCreated': {
      const { meetingId, title, startTime, hostUserId, settings } = event.data;
      return {
        ...state,
        status: 'active',
        meetingId,
        title,
        startTime,
        hostUserId,
        settings,
        createdAt: event.occurredAt,
      };
    }
    case 'ParticipantWaiting': {
      const { participantId, displayName, userId, deviceId } = event.data;
      return withParticipant(state, {
        ...newParticipant(participantId, displayName, userId),
        deviceId,
        status: 'waiting',
      });
    }
    case 'ParticipantAdmitted':
      return state;
    case 'ParticipantJoined': {
      const { participantId, displayName, userId, role, audioEnabled, videoEnabled, deviceId } = event.data;
      // Admitted from the waiting room: they are already placed, and maybe connected.
      const waiting = state.participants[participantId];
      const connection =
        waiting?.status === 'waiting'
          ? {
              connectionStatus: waiting.connectionStatus,
              connectedNode: waiting.connectedNode,
              placedNode: waiting.placedNode,
            }
          : {};
      return withParticipant(state, {
        ...newParticipant(participantId, displayName, userId),
        ...connection,
        deviceId,
        role,
        status: 'joined',
        joinTime: event.occurredAt,
        audioEnabled,
        videoEnabled,
      });
    }
    case 'ParticipantDenied':
      return gone(
        withKnockCooldown(state, event.data.participantId, event.occurredAt),
        event.data.participantId,
        'denied',
        event.occurredAt,
      );
    case 'ParticipantLeft':
      return gone(state, event.data.participantId, 'left', event.occurredAt);
    case 'ParticipantRemoved':
      return gone(
        barring(state, event.data.participantId),
        event.data.participantId,
        'removed',
        event.occurredAt,
      );
    case 'ParticipantConnectionChanged':
      return patch(state, event.data.participantId, {
        connectionStatus: event.data.connectionStatus,
        connectedNode: event.data.nodeId,
      });
    case 'MediaStateChanged': {
      const { participantId, kind, enabled } = event.data;
      const field = kind === 'audio' ? 'audioEnabled' : kind === 'video' ? 'videoEnabled' : 'screenSharing';
      // Unmuting answers a host's request to.
      const answered = kind === 'audio' && enabled ? { unmuteRequested: false } : {};
      return patch(state, participantId, { [field]: enabled, ...answered });
    }
    case 'ChatMessageSent':
      return { ...state, chatCount: state.chatCount + 1 };
    case 'HandRaised':
      return patch(state, event.data.participantId, { handRaised: true });
    case 'HandLowered':
      return patch(state, event.data.participantId, { handRaised: false });
    case 'ActiveSpeakerChanged':
      return { ...state, activeSpeakerId: event.data.participantId };
    case 'MediaPublished': {
      const { participantId, producerId, source, kind, nodeId } = event.data;
      const p = state.participants[participantId];
      if (!p) return state;
      return patch(state, participantId, {
        media: { ...p.media, [producerId]: { producerId, source, kind, nodeId } },
      });
    }
    case 'MediaUnpublished': {
      const p = state.participants[event.data.participantId];
      if (!p) return state;
      const media = { ...p.media };
      delete media[event.data.producerId];
      return patch(state, p.participantId, { media });
    }
    case 'MeetingEnded':
      return { ...state, status: 'ended', endedAt: event.occurredAt, activeSpeakerId: null };
    case 'MediaNodeAssigned':
      return { ...state, mediaNode: { nodeId: event.data.nodeId, url: event.data.url } };
    case 'ParticipantPlaced':
      return patch(state, event.data.participantId, {
        placedNode: { nodeId: event.data.nodeId, url: event.data.url },
      });
    case 'PasscodeLockoutStarted':
      return state;
  }
}

function newParticipant(participantId: string, displayName: string, userId: string | null): ParticipantState {
  return {
    participantId,
    displayName,
    userId,
    deviceId: null,
    role: 'participant',
    status: 'waiting',
    joinTime: null,
    leftTime: null,
    connectionStatus: 'connecting',
    connectedNode: null,
    placedNode: null,
    audioEnabled: false,
    videoEnabled: false,
    screenSharing: false,
    handRaised: false,
    unmuteRequested: false,
    media: {},
  };
}

/** A removed person is kept out, by their device and user id, until a host lets them back. */
function barring(state: MeetingState, participantId: string): MeetingState {
  const p = state.participants[participantId];
  if (!p) return state;
  const { displayName, deviceId, userId } = p;
  return {
    ...state,
    barred: { ...state.barred, [participantId]: { participantId, displayName, deviceId, userId } },
  };
}

/** A denied knocker waits longer before each new knock (admission.ts). */
function withKnockCooldown(state: MeetingState, participantId: string, at: string): MeetingState {
  const p = state.participants[participantId];
  if (!p) return state;
  const knockCooldowns = { ...state.knockCooldowns };
  for (const key of arrivalKeys(p)) knockCooldowns[key] = nextCooldown(knockCooldowns[key], at);
  return { ...state, knockCooldowns };
}

function withParticipant(state: MeetingState, participant: ParticipantState): MeetingState {
  const before = state.participants[participant.participantId];
  const wasJoined = before?.status === 'joined';
  const isJoined = participant.status === 'joined';
  return {
    ...state,
    participants: { ...state.participants, [participant.participantId]: participant },
    joinedCount: state.joinedCount + (isJoined ? 1 : 0) - (wasJoined ? 1 : 0),
  };
}

function patch(state: MeetingState, participantId: string, changes: Partial<ParticipantState>): MeetingState {
  const p = state.participants[participantId];
  if (!p) return state;
  return withParticipant(state, { ...p, ...changes });
}

function gone(
  state: MeetingState,
  participantId: string,
  status: 'left' | 'denied' | 'removed',
  at: string,
): MeetingState {
  const next = patch(state, participantId, {
    status,
    leftTime: at,
    connectionStatus: 'disconnected',
    handRaised: false,
    screenSharing: false,
    unmuteRequested: false,
    media: {},
  });
  return next.activeSpeakerId === participantId ? { ...next, activeSpeakerId: null } : next;
}
