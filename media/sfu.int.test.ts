import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../domain/ports/event-store';
import { createInProcessEventBus } from '../infra/bus/in-process-event-bus';
import { createSqliteEventStore } from '../infra/event-store/sqlite-event-store';
import type { FakeClient } from './testing/fake-client';
import { startMediaTestbed, type MediaTestbed } from './testing/testbed';

/*
 * The media signaling of one node, end to end below the socket: real mediasoup worker, real
 * WebRTC transports, real meeting commands and events (SQLite store → forwarder → bus → SFU),
 * and synthetic clients that are mediasoup-client itself with its fake (browser-less) handler.
 */

let dir: string;
let store: EventStore;
let bed: MediaTestbed;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'confer-media-'));
  store = createSqliteEventStore({ path: join(dir, 'events.db') });
  bed = await startMediaTestbed({ store, bus: createInProcessEventBus() });
});
afterAll(async () => {
  await bed?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A meeting with Ann and Bob, both with a Device and send + receive transports. */
async function annAndBob(settings: { muteOnEntry?: boolean } = {}) {
  const meetingId = await bed.createMeeting(settings);
  const ann = await bed.join(meetingId, 'Ann');
  const bob = await bed.join(meetingId, 'Bob');
  await ann.setup();
  await bob.setup();
  return { meetingId, ann, bob };
}

const eventsOf = (meetingId: string, type: string) =>
  bed.events.filter((e) => e.meetingId === meetingId && e.type === type);

async function expectError(client: FakeClient, type: Parameters<FakeClient['request']>[0], payload: unknown) {
  const ack = await client.request(type, payload);
  expect(ack.ok).toBe(false);
  return ack.ok ? undefined : ack.error;
}

describe('transports', () => {
  it('answers create-transport with ICE and DTLS parameters, UDP and TCP candidates and ICE servers', async () => {
    const meetingId = await bed.createMeeting();
    const ann = await bed.join(meetingId);
    const t = await ann.call<Record<string, unknown>>('media:create-transport', { direction: 'send' });
    expect(t).toMatchObject({
      id: expect.any(String),
      iceParameters: { usernameFragment: expect.any(String), password: expect.any(String) },
      dtlsParameters: {
        fingerprints: expect.arrayContaining([expect.objectContaining({ algorithm: 'sha-256' })]),
      },
      iceServers: [{ urls: ['stun:stun.example.test:3478'] }],
    });
    const candidates = t['iceCandidates'] as Array<{ protocol: string; ip: string }>;
    expect(candidates.map((c) => c.protocol).sort()).toEqual(['tcp', 'udp']);
    expect(new Set(candidates.map((c) => c.ip))).toEqual(new Set(['127.0.0.1']));

    const tcp = await ann.call<{ iceCandidates: Array<{ protocol: string }> }>('media:create-transport', {
      direction: 'recv',
      forceTcp: true,
    });
    expect(tcp.iceCandidates.map((c) => c.protocol)).toEqual(['tcp']);

    const restarted = await ann.call<{ iceParameters: { usernameFragment: string } }>('media:restart-ice', {
      transportId: t['id'],
    });
    expect(restarted.iceParameters.usernameFragment).not.toBe(
      (t['iceParameters'] as { usernameFragment: string }).usernameFragment,
    );
  });

  it('connects a transport once; a second connect is refused as invalid parameters', async () => {
    const { ann } = await annAndBob();
    await ann.produce('microphone'); // the fake handler connects the send transport on first use
    const again = await expectError(ann, 'media:connect-transport', {
      transportId: ann.sendTransport!.id,
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
    });
    expect(again).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'dtlsParameters' });
  });
});

describe('producing and consuming', () => {
  it('records a producer with PublishMedia and announces it to the others, not to its owner', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    const mic = await ann.produce('microphone');
    const announced = await bob.next('media:new-producer', (m) => m.producerId === mic.id);
    expect(announced).toEqual({
      participantId: ann.participantId,
      producerId: mic.id,
      kind: 'audio',
      source: 'microphone',
      paused: false,
    });
    const published = eventsOf(meetingId, 'MediaPublished');
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      data: {
        participantId: ann.participantId,
        producerId: mic.id,
        source: 'microphone',
        kind: 'audio',
        paused: false,
      },
      actor: { type: 'participant', participantId: ann.participantId },
    });
    expect(ann.messages('media:new-producer')).toEqual([]);
  });

  it('tells a late participant about existing producers once it can receive them, once', async () => {
    const { meetingId, ann } = await annAndBob();
    const cam = await ann.produce('camera');
    const carol = await bed.join(meetingId, 'Carol');
    await carol.setup({ recv: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carol.messages('media:new-producer')).toEqual([]);
    await carol.createRecvTransport();
    await carol.next('media:new-producer', (m) => m.producerId === cam.id);
    await carol.call('media:set-rtp-capabilities', { rtpCapabilities: carol.device!.rtpCapabilities });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(carol.messages('media:new-producer').filter((m) => m.producerId === cam.id)).toHaveLength(1);
  });

  it('creates consumers paused with the documented answer, resumes them on request', async () => {
    const { ann, bob } = await annAndBob();
    const cam = await ann.produce('camera');
    const answer = await bob.call<Record<string, unknown>>('media:consume', { producerId: cam.id });
    expect(answer).toMatchObject({
      consumerId: expect.any(String),
      producerId: cam.id,
      kind: 'video',
      rtpParameters: { codecs: expect.any(Array), encodings: expect.any(Array) },
      participantId: ann.participantId,
      source: 'camera',
      type: 'simulcast',
      producerPaused: false,
    });
    const consumerId = answer['consumerId'] as string;
    expect(bed.census.consumers.get(consumerId)?.paused).toBe(true);
    const retried = await bob.call<{ consumerId: string }>('media:consume', { producerId: cam.id });
    expect(retried.consumerId).toBe(consumerId);
    await bob.call('media:resume-consumer', { consumerId });
    expect(bed.census.consumers.get(consumerId)?.paused).toBe(false);
    await bob.call('media:pause-consumer', { consumerId });
    expect(bed.census.consumers.get(consumerId)?.paused).toBe(true);
  });

  it('pauses a producer in the SFU when the meeting mutes it, and tells the consumers', async () => {
    const { ann, bob } = await annAndBob();
    const mic = await ann.produce('microphone');
    await bob.consume(mic.id);
    const paused = () => bed.census.producersWithId(mic.id).every((p) => p.paused);

    await bed.setMedia(ann, 'audio', false);
    await bed.eventually(paused, 'the microphone paused in mediasoup');
    await bob.next('media:producer-paused', (m) => m.producerId === mic.id && m.paused);

    await bed.setMedia(ann, 'audio', true);
    await bed.eventually(() => !paused(), 'the microphone resumed in mediasoup');
    await bob.next('media:producer-paused', (m) => m.producerId === mic.id && !m.paused);

    // A host's mute holds: the participant cannot resume the producer behind the meeting's back.
    await bed.setMedia(ann, 'audio', false, 'host');
    await bed.eventually(paused, 'the microphone paused by the host');
    const refused = await expectError(ann, 'media:resume-producer', { producerId: mic.id });
    expect(refused).toMatchObject({ code: 'CONFER_FORBIDDEN', field: 'producerId' });
    expect(paused()).toBe(true);
  });

  it('produces a muted-on-entry microphone paused, whatever the client asked', async () => {
    const { meetingId, ann } = await annAndBob({ muteOnEntry: true });
    const mic = await ann.produce('microphone');
    expect(bed.census.producersWithId(mic.id).every((p) => p.paused)).toBe(true);
    expect(eventsOf(meetingId, 'MediaPublished')[0]?.data).toMatchObject({
      producerId: mic.id,
      paused: true,
    });
  });

  it('shares a screen (recorded as screen on) and closes it (unpublished, screen off, consumers told)', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    const screen = await ann.produce('screen');
    await bed.eventually(
      () =>
        eventsOf(meetingId, 'MediaStateChanged').find((e) => (e.data as { kind: string }).kind === 'screen'),
      'screen on',
    );
    const consumed = await bob.consume(screen.id);
    await ann.call('media:close-producer', { producerId: screen.id });
    expect(await bob.next('media:consumer-closed')).toEqual({
      consumerId: consumed.consumerId,
      producerId: screen.id,
    });
    expect(await bob.next('media:producer-closed')).toEqual({
      producerId: screen.id,
      participantId: ann.participantId,
    });
    expect(eventsOf(meetingId, 'MediaUnpublished').map((e) => e.data)).toEqual([
      { participantId: ann.participantId, producerId: screen.id },
    ]);
    await bed.eventually(
      () =>
        eventsOf(meetingId, 'MediaStateChanged').find(
          (e) =>
            (e.data as { kind: string; enabled: boolean }).kind === 'screen' &&
            !(e.data as { enabled: boolean }).enabled,
        ),
      'screen off',
    );
    expect(bed.census.producersWithId(screen.id)).toEqual([]);
  });

  it('chooses simulcast layers from the reported tiles and pauses hidden ones', async () => {
    const { ann, bob } = await annAndBob();
    const cam = await ann.produce('camera');
    const { consumerId } = await bob.consume(cam.id);
    const consumer = () => bed.census.consumers.get(consumerId)!;

    const small = await bob.call('media:report-viewport', {
      tiles: [
        { consumerId, width: 200, height: 112 },
        { consumerId: 'no-such-consumer', width: 640, height: 360 },
      ],
    });
    expect(small).toEqual({ updated: 1, unknown: ['no-such-consumer'] });
    expect(consumer().preferredLayers?.spatialLayer).toBe(0);

    await bob.call('media:report-viewport', { tiles: [{ consumerId, width: 400, height: 225 }] });
    expect(consumer().preferredLayers?.spatialLayer).toBe(1);
    await bob.call('media:report-viewport', { tiles: [{ consumerId, width: 1280, height: 720 }] });
    expect(consumer().preferredLayers?.spatialLayer).toBe(2);

    await bob.call('media:report-viewport', { tiles: [{ consumerId, width: 0, height: 0 }] });
    expect(consumer().paused).toBe(true);
    await bob.call('media:report-viewport', { tiles: [{ consumerId, width: 200, height: 112 }] });
    expect(consumer().paused).toBe(false);
    expect(consumer().preferredLayers?.spatialLayer).toBe(0);
  });

  it('raises the active speaker’s camera to the top layer', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    const cam = await ann.produce('camera');
    const { consumerId } = await bob.consume(cam.id);
    await bob.call('media:report-viewport', { tiles: [{ consumerId, width: 160, height: 90 }] });
    expect(bed.census.consumers.get(consumerId)?.preferredLayers?.spatialLayer).toBe(0);
    await bed.commands.handle(
      meetingId,
      { type: 'ChangeActiveSpeaker', participantId: ann.participantId },
      { actor: { type: 'system', reason: 'test' } },
    );
    await bed.eventually(
      () => bed.census.consumers.get(consumerId)?.preferredLayers?.spatialLayer === 2,
      'the speaker’s layer raised',
    );
  });

  it('reports connection quality per participant', async () => {
    const { ann, bob } = await annAndBob();
    const mic = await ann.produce('microphone');
    await bob.consume(mic.id);
    const { participants } = await bob.call<{ participants: Record<string, Record<string, unknown>> }>(
      'media:stats',
    );
    expect(Object.keys(participants).sort()).toEqual([ann.participantId, bob.participantId].sort());
    for (const quality of Object.values(participants)) {
      expect(Object.keys(quality).sort()).toEqual([
        'bitrateKbps',
        'jitterMs',
        'packetLossPct',
        'rttMs',
        'score',
      ]);
    }
  });
});

describe('bad input', () => {
  it('refuses unknown ids and ids of another participant or meeting', async () => {
    const { ann, bob } = await annAndBob();
    const other = await annAndBob();
    const mic = await ann.produce('microphone');
    const otherMic = await other.ann.produce('microphone');
    const { consumerId } = await bob.consume(mic.id);
    const annSend = ann.sendTransport!.id;
    const dtlsParameters = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] };

    const cases: Array<[FakeClient, Parameters<FakeClient['request']>[0], unknown, string]> = [
      [
        bob,
        'media:connect-transport',
        { transportId: 'nope', dtlsParameters },
        'CONFER_MEDIA_UNKNOWN_TRANSPORT',
      ],
      [
        bob,
        'media:connect-transport',
        { transportId: annSend, dtlsParameters },
        'CONFER_MEDIA_UNKNOWN_TRANSPORT',
      ],
      [bob, 'media:restart-ice', { transportId: annSend }, 'CONFER_MEDIA_UNKNOWN_TRANSPORT'],
      [
        bob,
        'media:produce',
        { transportId: annSend, kind: 'audio', rtpParameters: mic.rtpParameters, source: 'microphone' },
        'CONFER_MEDIA_UNKNOWN_TRANSPORT',
      ],
      [
        bob,
        'media:produce',
        {
          transportId: bob.recvTransport!.id,
          kind: 'audio',
          rtpParameters: mic.rtpParameters,
          source: 'microphone',
        },
        'CONFER_MEDIA_UNKNOWN_TRANSPORT',
      ],
      [bob, 'media:close-producer', { producerId: mic.id }, 'CONFER_MEDIA_UNKNOWN_PRODUCER'],
      [bob, 'media:pause-producer', { producerId: mic.id }, 'CONFER_MEDIA_UNKNOWN_PRODUCER'],
      [bob, 'media:consume', { producerId: 'nope' }, 'CONFER_MEDIA_UNKNOWN_PRODUCER'],
      [bob, 'media:consume', { producerId: otherMic.id }, 'CONFER_MEDIA_UNKNOWN_PRODUCER'],
      [ann, 'media:resume-consumer', { consumerId }, 'CONFER_MEDIA_UNKNOWN_CONSUMER'],
      [ann, 'media:pause-consumer', { consumerId: 'nope' }, 'CONFER_MEDIA_UNKNOWN_CONSUMER'],
    ];
    for (const [client, type, payload, code] of cases) {
      const error = await expectError(client, type, payload);
      expect({ type, code: error?.code }).toEqual({ type, code });
    }
    // Nothing of theirs was touched.
    expect(bed.census.producersWithId(mic.id)[0]?.closed).toBe(false);
    expect(bed.census.consumers.get(consumerId)?.closed).toBe(false);
  });

  it('needs capabilities before consuming, and refuses what the device cannot receive', async () => {
    const { meetingId, ann } = await annAndBob();
    const cam = await ann.produce('camera');
    const carol = await bed.join(meetingId, 'Carol');
    await carol.call('media:create-transport', { direction: 'recv' });
    expect(await expectError(carol, 'media:consume', { producerId: cam.id })).toMatchObject({
      code: 'CONFER_MEDIA_CAPABILITIES_REQUIRED',
    });
    // A device that only knows Opus cannot receive VP8.
    const { rtpCapabilities } = await carol.call<{ rtpCapabilities: { codecs: Array<{ kind: string }> } }>(
      'media:router-capabilities',
    );
    await carol.call('media:set-rtp-capabilities', {
      rtpCapabilities: {
        ...rtpCapabilities,
        codecs: rtpCapabilities.codecs.filter((c) => c.kind === 'audio'),
      },
    });
    expect(await expectError(carol, 'media:consume', { producerId: cam.id })).toMatchObject({
      code: 'CONFER_MEDIA_CANNOT_CONSUME',
    });
  });

  it('refuses impossible parameters naming the field, and survives them', async () => {
    const { ann } = await annAndBob();
    const mic = await ann.produce('microphone');
    const transportId = ann.sendTransport!.id;
    const produce = (extra: Record<string, unknown>) =>
      expectError(ann, 'media:produce', { transportId, kind: 'video', source: 'camera', ...extra });

    expect(await produce({ rtpParameters: { codecs: [] } })).toMatchObject({
      code: 'CONFER_MEDIA_INVALID_PARAMETERS',
      field: 'rtpParameters.codecs',
    });
    expect(
      await produce({
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 300, clockRate: 90000 }] },
      }),
    ).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'rtpParameters.codecs.0.payloadType' });
    expect(
      await produce({
        rtpParameters: {
          codecs: [{ mimeType: 'video/NOPE', payloadType: 101, clockRate: 90000 }],
          encodings: [{ ssrc: 1111 }],
        },
      }),
    ).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'rtpParameters' });
    expect(await produce({ kind: 'audio', rtpParameters: mic.rtpParameters })).toMatchObject({
      code: 'CONFER_MEDIA_INVALID_PARAMETERS',
      field: 'kind',
    });
    expect(
      await expectError(ann, 'media:produce', {
        transportId,
        kind: 'audio',
        source: 'microphone',
        rtpParameters: mic.rtpParameters,
      }),
    ).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'source' });

    const recv = await ann.call<{ id: string }>('media:create-transport', { direction: 'recv' });
    expect(
      await expectError(ann, 'media:connect-transport', {
        transportId: recv.id,
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-999', value: 'zz' }] },
      }),
    ).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'dtlsParameters' });
    expect(
      await expectError(ann, 'media:set-rtp-capabilities', { rtpCapabilities: { codecs: 'opus' } }),
    ).toMatchObject({ code: 'CONFER_MEDIA_INVALID_PARAMETERS', field: 'rtpCapabilities.codecs' });

    // Still serving: the worker and the session are fine.
    expect(bed.census.workers.size).toBe(1);
    const cam = await ann.produce('camera');
    expect(cam.id).toEqual(expect.any(String));
  });

  it('cleans up a participant who vanishes mid-negotiation, and lets them negotiate again', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    const mic = await ann.produce('microphone');
    const cam = await ann.produce('camera');
    await bob.consume(mic.id);
    const bobSend = bob.sendTransport!.id;

    // Bob's produce is in flight when his last socket goes away.
    const produce = bob.request('media:produce', {
      transportId: bobSend,
      kind: 'audio',
      source: 'microphone',
      rtpParameters: { ...mic.rtpParameters, encodings: [{ ssrc: 424242 }] },
    });
    await bed.sfu.participantDisconnected(meetingId, bob.participantId);
    await produce;

    const bobsObjects = () =>
      [...bed.census.transports].filter((t) => t.appData['participantId'] === bob.participantId).length +
      [...bed.census.consumers.values()].filter((c) => c.appData['participantId'] === bob.participantId)
        .length +
      [...bed.census.producers.values()].filter((p) => p.appData['participantId'] === bob.participantId)
        .length;
    await bed.eventually(() => bobsObjects() === 0, 'Bob’s transports, producers and consumers closed');
    expect(
      await expectError(bob, 'media:connect-transport', {
        transportId: bobSend,
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
      }),
    ).toMatchObject({ code: 'CONFER_MEDIA_UNKNOWN_TRANSPORT' });
    // Ann's media is untouched.
    expect(bed.census.producersWithId(cam.id)).toHaveLength(1);

    // On reconnection Bob negotiates from scratch and hears about Ann's producers again.
    const before = bob.messages('media:new-producer').length;
    await bob.setup();
    await bob.until(
      () =>
        bob
          .messages('media:new-producer')
          .slice(before)
          .filter((m) => m.participantId === ann.participantId).length === 2,
      'Ann’s two producers announced again',
    );
  });
});

describe('closing', () => {
  it('closes every transport, producer and consumer of the meeting once everyone has left', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    const carol = await bed.join(meetingId, 'Carol');
    await carol.setup();
    for (const c of [ann, bob, carol]) c.autoConsume = true;
    await ann.produce('microphone');
    await ann.produce('camera');
    await bob.produce('microphone');
    await carol.produce('screen');
    await bed.eventually(() => bed.census.ofMeeting(meetingId).consumers === 8, '8 consumers');
    expect(bed.census.ofMeeting(meetingId)).toMatchObject({ routers: 1, transports: 6, producers: 4 });

    await bed.leave(ann);
    // Her transports close at once; the others' consumers of her producers when the worker says so.
    await bed.eventually(() => bed.census.ofMeeting(meetingId).consumers === 2, 'consumers of Ann closed');
    expect(bed.census.ofMeeting(meetingId)).toMatchObject({ transports: 4, producers: 2 });
    await bed.leave(bob);
    await bed.leave(carol);
    await bed.eventually(() => bed.census.ofMeeting(meetingId).routers === 0, 'the router closed');
    expect(bed.census.ofMeeting(meetingId)).toEqual({
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });
    expect(bed.sfu.describeMeeting(meetingId)).toBeUndefined();
  });

  it('closes the routers when the meeting ends', async () => {
    const { meetingId, ann, bob } = await annAndBob();
    bob.autoConsume = true;
    await ann.produce('camera');
    await bed.eventually(() => bed.census.ofMeeting(meetingId).consumers === 1, 'a consumer');
    await bed.endMeeting(meetingId);
    await bed.eventually(() => bed.census.ofMeeting(meetingId).routers === 0, 'the router closed');
    expect(bed.census.ofMeeting(meetingId)).toEqual({
      routers: 0,
      transports: 0,
      producers: 0,
      consumers: 0,
    });
  });

  it('counts live objects for monitoring', async () => {
    const stats = bed.sfu.stats();
    expect(stats.workers).toBe(1);
    expect(stats.routers).toBe(bed.census.routers.size);
    expect(stats.transports).toBe(bed.census.transports.size);
    expect(stats.producers).toBe(bed.census.producers.size);
    expect(stats.consumers).toBe(bed.census.consumers.size);
  });
});
