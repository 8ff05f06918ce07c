import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConfer, type MediaDeps, type RunningConfer } from '../app/compose';
import { loadConfig } from '../app/config';
import { createMediaFromConfig, type ConferMedia } from '../app/media';
import type { JoinResult } from '../protocol/signaling';
import { api, connect, request, type ClientSocket } from '../test/support/confer-client';
import { freePort } from '../test/support/free-port';
import { FakeClient } from './testing/fake-client';
import { ensureWorkerBinary } from './testing/worker-binary';

/*
 * The SFU behind the real socket.io gateway, as the composition root wires it (app/media.ts):
 * synthetic mediasoup-client participants negotiate over socket.io with their tokens.
 */

let dir: string;
let confer: RunningConfer;
let media: ConferMedia | undefined;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confer-media-gw-'));
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dir,
    AUTH_SECRET: 'media-test-secret-media-test-secret-0123456789',
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_RTC_MIN_PORT: '48000',
    MEDIA_RTC_MAX_PORT: '48999',
    MEDIASOUP_WORKER_BIN: ensureWorkerBinary(),
    TURN_URLS: 'turn:turn.example.test:3478?transport=udp',
    TURN_SECRET: 'turn-shared-secret',
    READ_MODELS_NICENESS: process.env['READ_MODELS_NICENESS'],
  });
  confer = await startConfer(config, {
    logger: pino({ level: 'silent' }),
    media: async (deps: MediaDeps) => (media = await createMediaFromConfig(deps)),
  });
});
afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await confer?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function participant(
  client: ReturnType<typeof api>,
  meetingId: string,
  name: string,
  hostToken?: string,
) {
  const joined = await client.join(meetingId, name, hostToken ? { hostToken } : {});
  const socket = await connect(joined);
  sockets.push(socket);
  const ack = await request<JoinResult>(socket, 'join', {});
  if (!ack.ok) throw new Error(ack.error.message);
  return { socket, ack: ack.data, media: FakeClient.overSocket(socket, meetingId, joined.participantId) };
}

describe('media over the socket.io gateway', () => {
  it('negotiates, mutes through the meeting message and cleans up when a participant leaves', async () => {
    const client = api(confer.url);
    const meeting = await client.createMeeting({ title: 'Media over sockets' });
    const host = await participant(client, meeting.meetingId, 'Host', meeting.hostToken);
    const ann = await participant(client, meeting.meetingId, 'Ann');
    expect(ann.ack.media).toBe(true);

    await host.media.setup();
    await ann.media.setup();
    host.media.autoConsume = true;
    const transport = await ann.media.call<{ iceServers: Array<{ urls: string[]; username?: string }> }>(
      'media:create-transport',
      { direction: 'recv' },
    );
    expect(transport.iceServers).toEqual([
      {
        urls: ['turn:turn.example.test:3478?transport=udp'],
        username: expect.stringMatching(/^\d+:/),
        credential: expect.any(String),
      },
    ]);

    const mic = await ann.media.produce('microphone');
    const cam = await ann.media.produce('camera');
    await host.media.until(
      () => host.media.consumers.size === 2,
      'the host consuming Ann’s microphone and camera',
    );

    // The host mutes Ann with the meeting message: her producer pauses in the SFU.
    const muted = await request(host.socket, 'mute-participant', {
      participantId: ann.media.participantId,
      mediaType: 'audio',
    });
    expect(muted.ok).toBe(true);
    await host.media.next('media:producer-paused', (m) => m.producerId === mic.id && m.paused);

    // Ann leaves: her transports close and the host's consumers of her media with them.
    expect((await request(ann.socket, 'leave', {})).ok).toBe(true);
    const closed = await host.media.until(
      () =>
        host.media.messages('media:consumer-closed').length === 2 &&
        host.media.messages('media:consumer-closed'),
      'the host told that both consumers closed',
    );
    expect(closed.map((c) => c.producerId).sort()).toEqual([mic.id, cam.id].sort());
    expect(media?.stats()).toMatchObject({ producers: 0, consumers: 0, transports: 2 });
  });
});
