import type { QualitySample } from './quality';
import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { EventBus } from '../domain/ports/event-bus';
import type { NodeLinks } from '../protocol/node-link.port';
import type { ObjectStore } from '../domain/ports/object-store';

/** An ICE server as mediasoup-client's `iceServers` wants it (STUN, or TURN with credentials). */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** Everything the SFU of one node is built from; the composition root fills it from the config. */
export interface SfuOptions {
  logger: Logger;
  commands: MeetingCommandHandler;
  bus: EventBus;
  nodeId: string;
  /** mediasoup workers (processes); one per core is the usual choice. */
  workers: number;
  /** RTC port range, split evenly between the workers. */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Address the transports bind to, and the one announced to clients when it differs. */
  listenIp: string;
  announcedIp?: string;
  /** Consumers a worker should carry before a meeting spreads to a router on another worker. */
  consumersPerWorker: number;
  /**
   * Links to the other nodes of the deployment: a meeting cascaded over several nodes pulls the
   * producers each node hosts (media/cascade). Without them, this node serves whole meetings only.
   */
  links?: NodeLinks;
  /** STUN/TURN servers for one participant (time-limited TURN credentials). */
  iceServers(participantId: string): IceServer[];
  /** Estimate of the downlink before the bandwidth estimator knows better, bit/s. */
  initialAvailableOutgoingBitrate?: number;
  /** Cap on what one client may send through a transport, bit/s. */
  maxIncomingBitrate?: number;
  /** Least time between two active-speaker changes, ms. */
  activeSpeakerDebounceMs?: number;
  /** How often connection quality is collected and pushed, ms (0: never pushed). */
  qualityIntervalMs?: number;
  /** Each participant's raw measurements at every quality round (the analytics pipeline samples them). */
  onQuality?(meetingId: string, samples: Record<string, QualitySample>): void;
  workerLogLevel?: 'debug' | 'warn' | 'error' | 'none';
  /** Recording: where segments go, the ffmpeg to capture with, local scratch space. Absent: no capture. */
  recording?: { objects: ObjectStore; ffmpegPath: string; workRoot: string; segmentSeconds?: number };
}

export const sfuDefaults = {
  initialAvailableOutgoingBitrate: 1_000_000,
  maxIncomingBitrate: 4_000_000,
  activeSpeakerDebounceMs: 1500,
  qualityIntervalMs: 5000,
  workerLogLevel: 'warn',
} as const;
