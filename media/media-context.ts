import type { Logger } from 'pino';
import type { MeetingCommand } from '../domain/meeting/meeting.commands';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { MeetingState } from '../domain/meeting/meeting.state';
import type { Actor } from '../domain/shared/actor';
import type { IceServer } from './sfu-options';
import type { MediaSource, Peer } from './peer';
import type { Room } from './room';

/** What every signaling handler may use besides its room and peer. */
export interface MediaServices {
  commands: MeetingCommandHandler;
  /** This node: recorded with every producer it hosts, so other nodes know where to pull it. */
  nodeId: string;
  logger: Logger;
  listenIp: string;
  announcedIp?: string;
  initialAvailableOutgoingBitrate: number;
  maxIncomingBitrate: number;
  iceServers(participantId: string): IceServer[];
}

export interface HandlerContext {
  meetingId: string;
  participantId: string;
  room: Room;
  peer: Peer;
  services: MediaServices;
}

export const participantActor = (participantId: string): Actor => ({
  type: 'participant',
  participantId,
  isHost: false,
});

/** Runs a meeting command as the participant (the token's, never the payload's). */
export function runAsParticipant(ctx: HandlerContext, command: MeetingCommand) {
  return ctx.services.commands.handle(ctx.meetingId, command, { actor: participantActor(ctx.participantId) });
}

/**
 * Whether the meeting lets this source be heard or seen: a microphone muted in the meeting (by
 * the participant or a host) stays paused in the SFU whatever the client does. A screen share is
 * switched on by producing it, so it is never held back here.
 */
export function sourceEnabled(state: MeetingState, participantId: string, source: MediaSource): boolean {
  const p = state.participants[participantId];
  if (!p) return false;
  if (source === 'microphone') return p.audioEnabled;
  if (source === 'camera') return p.videoEnabled;
  return true;
}

export const kindOfSource = (source: MediaSource): 'audio' | 'video' =>
  source === 'microphone' ? 'audio' : 'video';

/** The meeting-level media kind (mute/unmute) that governs a producer source. */
export const mediaKindOfSource = (source: MediaSource): 'audio' | 'video' | 'screen' =>
  source === 'microphone' ? 'audio' : source === 'camera' ? 'video' : 'screen';
