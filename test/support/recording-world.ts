import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  createMeetingCommandHandler,
  type MeetingCommandHandler,
} from '../../domain/meeting/meeting.handler';
import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import { segmentKey, syncKey } from '../../domain/meeting/recording.keys';
import type { Actor } from '../../domain/shared/actor';
import type { EventStore } from '../../domain/ports/event-store';
import type { ObjectStore } from '../../domain/ports/object-store';
import type { ProjectionStore } from '../../domain/ports/projection-store';
import type { EventBus } from '../../domain/ports/event-bus';
import type { LeaseManager } from '../../domain/ports/lease';
import { createInProcessEventBus } from '../../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../../infra/event-store/sqlite-event-store';
import { createRandomIds } from '../../infra/ids/random-ids';
import { createLocalLeaseManager } from '../../infra/lease/local-lease';
import { createSqliteProjectionStore } from '../../infra/projection-store/sqlite-projection-store';
import { createEventForwarder, type Forwarder } from '../../pipelines/forwarder/event-forwarder';

/** A clock the test moves: recording windows of known length without waiting for them. */
export function manualClock(startMs: number, real = false) {
  let now = startMs;
  return {
    now: () => (real ? new Date() : new Date(now)),
    advance(ms: number) {
      now += ms;
    },
    ms: () => (real ? Date.now() : now),
  };
}

export interface RecordingWorld {
  dir: string;
  store: EventStore;
  projections: ProjectionStore;
  bus: EventBus;
  leases: LeaseManager;
  commands: MeetingCommandHandler;
  clock: ReturnType<typeof manualClock>;
  logger: pino.Logger;
  logLines(): Array<Record<string, unknown>>;
  act(meetingId: string, command: MeetingCommand, actor?: Actor): Promise<void>;
  close(): Promise<void>;
}

/** Real SQLite stores, the in-process bus and its forwarder, a JSON log file to read back. */
export async function recordingWorld(options: { realClock?: boolean } = {}): Promise<RecordingWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'confer-recording-'));
  const store = createSqliteEventStore({ path: join(dir, 'events.db') });
  const projections = createSqliteProjectionStore({ path: join(dir, 'read-models.db') });
  const bus = createInProcessEventBus();
  // Capture on a real SFU times its tracks by the wall clock: such tests use the real one.
  const clock = manualClock(Date.parse('2026-12-01T10:00:00Z'), options.realClock ?? false);
  const commands = createMeetingCommandHandler({ store, ids: createRandomIds(), clock });
  const logFile = join(dir, 'log.jsonl');
  const logger = pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true }));
  let position = 0;
  const forwarder: Forwarder = createEventForwarder({
    store,
    bus,
    logger,
    checkpoint: { load: async () => position, save: async (p) => void (position = p) },
  });
  await forwarder.start();
  const leases = createLocalLeaseManager();
  return {
    dir,
    store,
    projections,
    bus,
    leases,
    commands,
    clock,
    logger,
    logLines: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async act(meetingId, command, actor = { type: 'host' }) {
      await commands.handle(meetingId, command, { actor });
    },
    async close() {
      await forwarder.stop();
      await leases.close();
      await bus.close();
      await projections.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Segments as the SFU's recorder writes them (ffmpeg's segment muxer, 4 s mkv, absolute
 * timestamps) from a synthetic source, stored and reported like the recorder does, with a
 * timing file that puts the track's pts 0 `offsetMs` after the recording's start.
 */
export async function storeSyntheticTrack(
  world: RecordingWorld,
  objects: ObjectStore,
  t: {
    meetingId: string;
    recordingId: string;
    trackId: string;
    participantId: string;
    kind: 'audio' | 'video';
    source: 'microphone' | 'camera' | 'screen';
    seconds: number;
    offsetMs: number;
    recordingStartMs: number;
    /** lavfi source; default a test picture or a 440 Hz tone. */
    lavfi?: string;
    /** Announce the track first and close it last, as the SFU's recorder does. */
    announce?: boolean;
    /** Awaited before the last segment is stored (a recorder still closing its last segment). */
    beforeLast?: () => Promise<void>;
  },
): Promise<number> {
  const recorder = { type: 'system', reason: 'test-recorder' } as const;
  if (t.announce)
    await world.act(
      t.meetingId,
      {
        type: 'StartRecordingTrack',
        recordingId: t.recordingId,
        trackId: t.trackId,
        participantId: t.participantId,
        source: t.source,
        kind: t.kind,
      },
      recorder,
    );
  const dir = mkdtempSync(join(world.dir, 'synth-'));
  const input =
    t.lavfi ??
    (t.kind === 'video' ? `testsrc2=s=320x240:r=30:d=${t.seconds}` : `sine=f=440:d=${t.seconds}:r=48000`);
  const codec =
    t.kind === 'video'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '60']
      : ['-c:a', 'libopus', '-b:a', '32k', '-ac', '2'];
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    input,
    ...codec,
    '-f',
    'segment',
    '-segment_time',
    '4',
    '-segment_format',
    'matroska',
    '-reset_timestamps',
    '0',
    join(dir, 'seg_%05d.mkv'),
  ]);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mkv'))
    .sort();
  for (const [sequence, file] of files.entries()) {
    if (sequence === files.length - 1) await t.beforeLast?.();
    const key = segmentKey(t.meetingId, t.recordingId, t.trackId, sequence);
    const info = await objects.put(key, readFileSync(join(dir, file)), { contentType: 'video/x-matroska' });
    await world.act(
      t.meetingId,
      {
        type: 'StoreRecordingSegment',
        recordingId: t.recordingId,
        trackId: t.trackId,
        participantId: t.participantId,
        source: t.source,
        kind: t.kind,
        sequence,
        key,
        sizeBytes: info.sizeBytes,
      },
      recorder,
    );
  }
  const sync = {
    clockRate: t.kind === 'video' ? 90000 : 48000,
    firstRtpTs: 1000,
    firstPacketWorkerMs: 5_000,
    workerToWallMs: t.recordingStartMs + t.offsetMs - 5_000,
    senderReports: [],
  };
  await objects.put(syncKey(t.meetingId, t.recordingId, t.trackId), Buffer.from(JSON.stringify(sync)));
  if (t.announce)
    await world.act(
      t.meetingId,
      { type: 'CloseRecordingTrack', recordingId: t.recordingId, trackId: t.trackId, segments: files.length },
      recorder,
    );
  return files.length;
}

export function ffprobeJson(path: string): {
  format: { duration: string };
  streams: Array<{ codec_type: string; codec_name: string }>;
  chapters: Array<{ start_time: string; tags?: { title?: string } }>;
} {
  return JSON.parse(
    execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_format', '-show_streams', '-show_chapters', '-of', 'json', path],
      {
        encoding: 'utf8',
      },
    ),
  );
}
