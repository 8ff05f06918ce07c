import { randomUUID } from 'node:crypto';
import pino from 'pino';
import {
  createMeetingCommandHandler,
  type MeetingCommandHandler,
} from '../../domain/meeting/meeting.handler';
import type { EventBus } from '../../domain/ports/event-bus';
import type { EventStore } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { createEventForwarder } from '../../pipelines/forwarder/event-forwarder';
import type { Sfu } from '../sfu';
import type { SfuOptions } from '../sfu-options';
import { FakeClient } from './fake-client';
import { startCensus, type MediasoupCensus } from './mediasoup-census';
import { ensureWorkerBinary } from './worker-binary';

export interface MediaTestbed {
  sfu: Sfu;
  census: MediasoupCensus;
  commands: MeetingCommandHandler;
  /** Every event that went through the bus, in order. */
  events: StoredEvent[];
  createMeeting(settings?: { muteOnEntry?: boolean }): Promise<string>;
  /** Joins a participant (as themselves) and returns a synthetic media client for them. */
  join(meetingId: string, displayName?: string): Promise<FakeClient>;
  leave(client: FakeClient): Promise<void>;
  /** ChangeMediaState as the participant themselves, or as the meeting's host. */
  setMedia(
    client: FakeClient,
    kind: 'audio' | 'video' | 'screen',
    enabled: boolean,
    by?: 'self' | 'host',
  ): Promise<void>;
  endMeeting(meetingId: string): Promise<void>;
  /** Resolves once `check` returns something truthy (polled every 20 ms). */
  eventually<T>(check: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * The SFU on the real core: meeting commands appended to a real event store, forwarded to a real
 * bus, the SFU subscribed to it, and synthetic clients (mediasoup-client with its fake handler)
 * speaking the media protocol through the MediaSignaling port as the gateway would.
 */
export async function startMediaTestbed(options: {
  store: EventStore;
  bus: EventBus;
  sfu?: Partial<SfuOptions>;
}): Promise<MediaTestbed> {
  ensureWorkerBinary();
  const { createSfu } = await import('../sfu');
  const census = startCensus((await import('mediasoup')).observer);
  const logger = pino({ level: process.env['MEDIA_TEST_LOG'] ?? 'silent' });
  const ids = {
    eventId: () => randomUUID(),
    meetingId: () => `m_${randomUUID().replaceAll('-', '')}`,
    participantId: () => `p_${randomUUID().slice(0, 12)}`,
    messageId: () => randomUUID(),
  };
  const commands = createMeetingCommandHandler({
    store: options.store,
    ids,
    clock: { now: () => new Date() },
  });
  const events: StoredEvent[] = [];
  const recorder = await options.bus.subscribe({
    group: 'testbed-recorder',
    handler: async (batch) => {
      events.push(...batch);
    },
  });
  let checkpoint = 0;
  const forwarder = createEventForwarder({
    store: options.store,
    bus: options.bus,
    logger,
    checkpoint: { load: async () => checkpoint, save: async (p) => void (checkpoint = p) },
  });
  await forwarder.start();
  const sfu = await createSfu({
    logger,
    commands,
    bus: options.bus,
    nodeId: 'test',
    workers: 1,
    rtcMinPort: 42000,
    rtcMaxPort: 42999,
    listenIp: '127.0.0.1',
    consumersPerWorker: 500,
    iceServers: () => [{ urls: ['stun:stun.example.test:3478'] }],
    qualityIntervalMs: 0,
    ...options.sfu,
  });

  return {
    sfu,
    census,
    commands,
    events,
    async createMeeting(settings = {}) {
      const meetingId = ids.meetingId();
      await commands.handle(
        meetingId,
        {
          type: 'CreateMeeting',
          meetingId,
          title: 'Media test',
          startTime: null,
          hostUserId: null,
          settings: {
            muteOnEntry: settings.muteOnEntry ?? false,
            videoOffOnEntry: false,
            waitingRoom: false,
            maxParticipants: 500,
            passcodeDigest: null,
          },
        },
        { actor: { type: 'host' } },
      );
      return meetingId;
    },
    async join(meetingId, displayName = 'Someone') {
      const participantId = ids.participantId();
      await commands.handle(
        meetingId,
        {
          type: 'JoinMeeting',
          participantId,
          displayName,
          userId: null,
          passcodeDigest: null,
          audioEnabled: true,
          videoEnabled: true,
        },
        { actor: { type: 'participant', participantId, isHost: false } },
      );
      return FakeClient.overPort(sfu, meetingId, participantId);
    },
    async leave(client) {
      await commands.handle(
        client.meetingId,
        { type: 'LeaveMeeting', participantId: client.participantId, reason: 'left' },
        { actor: { type: 'participant', participantId: client.participantId, isHost: false } },
      );
    },
    async setMedia(client, kind, enabled, by = 'self') {
      await commands.handle(
        client.meetingId,
        { type: 'ChangeMediaState', participantId: client.participantId, kind, enabled },
        {
          actor:
            by === 'host'
              ? { type: 'host' }
              : { type: 'participant', participantId: client.participantId, isHost: false },
        },
      );
    },
    async endMeeting(meetingId) {
      await commands.handle(meetingId, { type: 'EndMeeting' }, { actor: { type: 'host' } });
    },
    eventually(check, what, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = () => {
          const value = check();
          if (value !== undefined && value !== false) return resolve(value);
          if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
          setTimeout(poll, 20);
        };
        poll();
      });
    },
    async close() {
      await sfu.close();
      census.stop();
      await forwarder.stop();
      await recorder.close();
    },
  };
}
