import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup';
import { systemActor } from '../domain/shared/actor';
import { isConferError } from '../domain/shared/errors';
import type { BusSubscription } from '../domain/ports/event-bus';
import type { MediaSignaling } from '../protocol/media-signaling.port';
import type { ClientAnswers, ClientMessage } from '../protocol/signaling';
import { createCascade } from './cascade/cascade';
import { speakerNodeOf } from './cascade/speaker-node';
import type { HandlerContext, MediaServices } from './media-context';
import { createMeetingEventsController, MEDIA_EVENT_TYPES } from './meeting-events.controller';
import { CAPTURE_EVENT_TYPES, createRecordingController } from './recording/recording.controller';
import type { CloseReason, ProducerEntry } from './peer';
import { startQualityPush } from './quality-push';
import { Room, type RoomDescription } from './room';
import { sfuDefaults, type SfuOptions } from './sfu-options';
import { mediaHandlers } from './signaling.handlers';
import { createWorkerPool, type WorkerInfo } from './worker-pool';

/** Live mediasoup objects of this node, for Prometheus gauges. */
export interface SfuStats {
  workers: number;
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  meetings: number;
  participants: number;
}

export interface Sfu extends MediaSignaling {
  stats(): SfuStats;
  workers(): WorkerInfo[];
  /** The meeting's media on this node, with the pipes other nodes pull from it. */
  describeMeeting(meetingId: string): (RoomDescription & { servedPipes: number }) | undefined;
  close(): Promise<void>;
}

/** Producers that vanished without their owner asking: the SFU records their end itself. */
const unpublishedBySystem = new Set<CloseReason>([
  'disconnected',
  'worker-lost',
  'rebuild',
  'transport-closed',
]);

/**
 * The SFU of this node: mediasoup workers, one room per meeting, the `media:*` signaling
 * handlers, and a controller that follows the meeting events on the bus (group media-<node>).
 */
export async function createSfu(options: SfuOptions): Promise<Sfu> {
  const { logger, commands } = options;
  if (!existsSync(workerBin)) {
    throw new Error(
      `mediasoup worker binary not found at ${workerBin}: build it (scripts/mediasoup/build-worker.sh) ` +
        'and set MEDIASOUP_WORKER_BIN',
    );
  }
  const settings = { ...sfuDefaults, ...definedOnly(options) };
  const pool = createWorkerPool({
    size: options.workers,
    rtcMinPort: options.rtcMinPort,
    rtcMaxPort: options.rtcMaxPort,
    logger,
    logLevel: settings.workerLogLevel,
  });
  await pool.start();

  const rooms = new Map<string, Room>();
  const services: MediaServices = {
    commands,
    nodeId: options.nodeId,
    logger,
    listenIp: options.listenIp,
    ...(options.announcedIp ? { announcedIp: options.announcedIp } : {}),
    initialAvailableOutgoingBitrate: settings.initialAvailableOutgoingBitrate,
    maxIncomingBitrate: settings.maxIncomingBitrate,
    iceServers: options.iceServers,
  };

  function runAsSystem(meetingId: string, reason: string, command: Parameters<typeof commands.handle>[1]) {
    commands.handle(meetingId, command, { actor: systemActor(reason) }).catch((error: unknown) => {
      logger.debug({ err: error, meetingId, command: command.type }, 'media could not record a change');
    });
  }

  function producerGone(meetingId: string, entry: ProducerEntry, reason: CloseReason): void {
    // A producer pulled from another node is that node's to record.
    if (entry.remoteNode !== undefined || !unpublishedBySystem.has(reason)) return;
    const { participantId } = entry;
    runAsSystem(meetingId, `media-${reason}`, {
      type: 'UnpublishMedia',
      participantId,
      producerId: entry.producer.id,
    });
    if (entry.source === 'screen' && !entry.owner?.producerOf('screen')) {
      runAsSystem(meetingId, `media-${reason}`, {
        type: 'ChangeMediaState',
        participantId,
        kind: 'screen',
        enabled: false,
      });
    }
  }

  const listen = {
    ip: options.listenIp,
    ...(options.announcedIp ? { announcedIp: options.announcedIp } : {}),
  };
  const links = options.links;

  /** In a meeting cascaded over nodes, one node reports the active speaker (speakerNodeOf). */
  async function reportSpeaker(meetingId: string, participantId: string | null): Promise<void> {
    const { state } = await commands.load(meetingId);
    const speakerNode = speakerNodeOf(state);
    if (speakerNode !== null && speakerNode !== options.nodeId) return;
    runAsSystem(meetingId, 'active-speaker', { type: 'ChangeActiveSpeaker', participantId });
  }

  function openRoom(meetingId: string): Room {
    const existing = rooms.get(meetingId);
    if (existing && !existing.closed) return existing;
    const room = new Room({
      meetingId,
      pool,
      logger,
      consumersPerWorker: options.consumersPerWorker,
      activeSpeakerDebounceMs: settings.activeSpeakerDebounceMs,
      onActiveSpeaker: (participantId) => {
        reportSpeaker(meetingId, participantId).catch((error: unknown) =>
          logger.debug({ err: error, meetingId }, 'could not report the active speaker'),
        );
      },
      onProducerGone: (entry, reason) => producerGone(meetingId, entry, reason),
      ...(cascade ? { cascade: cascade.roomOptions } : {}),
    });
    rooms.set(meetingId, room);
    if (room.remote) void learnRemoteProducers(room);
    return room;
  }

  /** A room opening on this node pulls what the meeting already publishes on other nodes. */
  async function learnRemoteProducers(room: Room): Promise<void> {
    try {
      const { state } = await commands.load(room.meetingId);
      for (const p of Object.values(state.participants)) {
        if (p.status !== 'joined') continue;
        for (const media of Object.values(p.media)) {
          if (media.nodeId === null || media.nodeId === options.nodeId) continue;
          room.remote?.learn({ ...media, nodeId: media.nodeId, participantId: p.participantId });
        }
      }
    } catch (error) {
      logger.warn({ err: error, meetingId: room.meetingId }, 'could not learn the producers of other nodes');
    }
  }

  const cascade = links
    ? createCascade({
        links,
        listen,
        logger,
        room: (meetingId) => rooms.get(meetingId),
        rooms: () => rooms.values(),
      })
    : undefined;

  function closeRoom(meetingId: string, reason: CloseReason): void {
    const room = rooms.get(meetingId);
    if (!room) return;
    room.close(reason);
    rooms.delete(meetingId);
    quality.forget(meetingId);
  }

  pool.onWorkerLost((dead) => {
    for (const room of rooms.values()) {
      if (!room.usesWorker(dead)) continue;
      logger.warn({ meetingId: room.meetingId }, 'rebuilding the media of a meeting after a worker died');
      room.rebuild('media-worker-restarted').catch((error: unknown) => {
        logger.error(
          { err: error, meetingId: room.meetingId },
          'could not rebuild a meeting after a worker died',
        );
      });
    }
  });

  const controller = createMeetingEventsController({
    logger,
    nodeId: options.nodeId,
    room: (meetingId) => rooms.get(meetingId),
    closeRoom,
  });
  const subscription: BusSubscription = await options.bus.subscribe({
    group: `media-${options.nodeId}`,
    handler: (events) => controller.handle(events),
    types: MEDIA_EVENT_TYPES,
  });

  // Recording: capture of this node's producers while the meeting is recorded (its own bus group).
  const recorder = options.recording
    ? createRecordingController({
        logger: logger.child({ part: 'recorder' }),
        nodeId: options.nodeId,
        commands,
        objects: options.recording.objects,
        ffmpegPath: options.recording.ffmpegPath,
        workRoot: options.recording.workRoot,
        room: (meetingId) => rooms.get(meetingId),
        ...(options.recording.segmentSeconds ? { segmentSeconds: options.recording.segmentSeconds } : {}),
      })
    : undefined;
  const recordingSubscription = recorder
    ? await options.bus.subscribe({
        group: `recording-${options.nodeId}`,
        handler: (events) => recorder.handle(events),
        types: CAPTURE_EVENT_TYPES,
        // Nobody waits on the capture: a track whose recording starts 50 ms after it was published
        // loses nothing anyone hears, and on Kafka this group then fetches ~20 times a second instead
        // of once per produced batch, on the event loop that answers the sockets.
        gatherMs: 50,
      })
    : undefined;

  const quality = startQualityPush({
    rooms: () => rooms.entries(),
    nodeId: options.nodeId,
    links,
    commands,
    intervalMs: settings.qualityIntervalMs,
    logger,
    onQuality: options.onQuality,
  });

  let closed = false;
  return {
    available: true,
    async handle(type, payload, context) {
      const room = openRoom(context.meetingId);
      const ctx: HandlerContext = {
        meetingId: context.meetingId,
        participantId: context.participantId,
        room,
        peer: room.peerFor(context.participantId, context.channel),
        services,
      };
      // One handler per type (checked in signaling.handlers.ts); the index cannot follow K here.
      const handler = mediaHandlers[type] as (
        message: ClientMessage<typeof type>,
        ctx: HandlerContext,
      ) => Promise<ClientAnswers[typeof type]>;
      try {
        return await handler(payload, ctx);
      } catch (error) {
        if (!isConferError(error))
          logger.error({ err: error, type, meetingId: ctx.meetingId }, 'media request failed');
        throw error;
      }
    },
    async participantDisconnected(meetingId, participantId) {
      const room = rooms.get(meetingId);
      if (!room) return;
      room.closePeer(participantId, 'disconnected');
      if (room.peers.size === 0) closeRoom(meetingId, 'room-empty');
    },
    stats() {
      let participants = 0;
      for (const room of rooms.values()) participants += room.peers.size;
      return { ...pool.totals(), meetings: rooms.size, participants };
    },
    workers: () => pool.workers(),
    describeMeeting: (meetingId) => {
      const description = rooms.get(meetingId)?.describe();
      return description && { ...description, servedPipes: cascade?.server.count(meetingId) ?? 0 };
    },
    async close() {
      if (closed) return;
      closed = true;
      quality.stop();
      await subscription.close();
      await recordingSubscription?.close();
      // What was captured so far is stored before the media goes (the last segments close).
      await recorder?.close();
      for (const meetingId of [...rooms.keys()]) closeRoom(meetingId, 'shutdown');
      pool.close();
    },
  };
}

/** Drops keys whose value is undefined, so that they do not hide the defaults. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
