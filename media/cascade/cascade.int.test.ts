import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTokens } from '../../cluster/node-tokens';
import { createTokenService } from '../../gateways/auth/tokens';
import { NODE_LINK_NAMESPACE } from '../../cluster/node-links';
import type { ParticipantChannel } from '../../protocol/media-signaling.port';
import { parseRtp } from '../testing/rtp-packets';
import { plainOutput, plainProducer, udpSocket, vp8Payload } from '../testing/synthetic-rtp';
import { eventually } from '../../test/support/eventually';
import { ensureWorkerBinary } from '../testing/worker-binary';
import { startCascadeNode, type CascadeNode } from '../testing/cascade-node';
import type { LinkAck } from '../../protocol/node-link';
import { qualityLinkServer, readRemoteQuality } from './quality-link';

/*
 * A meeting cascaded over two nodes, each with its own mediasoup worker, rooms and node links
 * over real socket.io servers on loopback (what app/compose.ts wires on every node): node B pulls
 * node A's producer through an SRTP pipe, and real RTP sent into A comes out of a consumer on B.
 */

const logger = pino({ level: process.env['MEDIA_TEST_LOG'] ?? 'silent' });
const secret = 'cascade-test-secret-of-at-least-32-characters';
const silent: ParticipantChannel = { emit: () => undefined };
const MEETING = 'm_cascade';

/** Which nodes are live, as the registry would say. */
const live = new Map<string, string>();
const nodes: CascadeNode[] = [];
let nextPorts = 44_000;

async function startNode(id: string): Promise<CascadeNode> {
  const node = await startCascadeNode({
    id,
    meetingId: MEETING,
    live,
    rtcMinPort: nextPorts,
    logger,
    secret,
    retryDelaysMs: [100, 200, 400],
  });
  nextPorts += 500;
  nodes.push(node);
  return node;
}

let a: CascadeNode;
let b: CascadeNode;

beforeAll(async () => {
  ensureWorkerBinary();
  [a, b] = [await startNode('a'), await startNode('b')];
});
afterAll(async () => {
  for (const node of nodes) await node.close();
});

/** A camera of `participantId` on node A, fed by this process, known to B as A's. */
async function cameraOnA(participantId: string, ssrc: number) {
  const peer = a.room.peerFor(participantId, silent);
  const router = await a.room.assignRouter(peer);
  const input = await plainProducer(router, 'video', ssrc);
  const entry = a.room.registerProducer(peer, input.producer, 'camera', router);
  entry.published = true;
  b.room.remote!.learn({
    producerId: input.producer.id,
    participantId,
    source: 'camera',
    kind: 'video',
    nodeId: 'a',
  });
  const pulled = await eventually('the producer pulled to B', () => b.room.producers.get(input.producer.id));
  return { input, pulled };
}

describe('a meeting cascaded over two nodes', () => {
  it('pulls a producer from the node hosting it through an SRTP pipe; its RTP comes out on the other node', async () => {
    const ssrc = 31_313_131;
    const { input, pulled } = await cameraOnA('alice', ssrc);
    expect(pulled.remoteNode).toBe('a');
    expect(pulled.participantId).toBe('alice');
    expect(pulled.source).toBe('camera');
    expect(b.room.describe().remote).toEqual({ known: 1, pulled: 1, pipes: 1 });
    expect(a.cascade.server.count(MEETING)).toBe(1);

    // Bob on B receives it through a PlainTransport consumer, as his WebRTC transport would.
    const bob = b.room.peerFor('bob', silent);
    const bobRouter = await b.room.assignRouter(bob);
    const packets: Buffer[] = [];
    const receiver = await udpSocket((message) => packets.push(message));
    const output = await plainOutput(bobRouter, receiver.address().port, undefined);
    await b.room.ensureOnRouter(pulled, bobRouter);
    const consumer = await output.consume({
      producerId: input.producer.id,
      rtpCapabilities: bobRouter.rtpCapabilities,
    });
    const outSsrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
    let frame = 0;
    const sender = setInterval(() => input.send(vp8Payload(frame, 600), (frame++ * 3000) >>> 0), 20);
    try {
      await eventually(
        'RTP from A arriving out of B',
        () => packets.map(parseRtp).filter((p) => p?.ssrc === outSsrc).length >= 20,
      );
    } finally {
      clearInterval(sender);
    }
    // The pipe carried it encrypted both ways and counted it on each side.
    const [pipeStats] = (await [...b.room.producers.values()][0]!.producer.getStats()) as Array<{
      packetCount: number;
    }>;
    expect(pipeStats?.packetCount).toBeGreaterThan(0);
    receiver.close();
    output.close();
    input.close();
    await eventually('the end of the producer reaching B', () => !b.room.producers.has(input.producer.id));
    expect(b.room.describe().remote.known).toBe(0);
  });

  it('mirrors a pause and a resume at the source', async () => {
    const { input, pulled } = await cameraOnA('carol', 32_323_232);
    await input.producer.pause();
    await eventually('the pause mirrored on B', () => pulled.producer.paused);
    await input.producer.resume();
    await eventually('the resume mirrored on B', () => !pulled.producer.paused);
    input.close();
  });

  it('closes what came through a link that drops, and pulls it again once the link is back', async () => {
    const { input, pulled } = await cameraOnA('dave', 33_333_333);
    const firstPipes = a.cascade.server.count(MEETING);
    expect(firstPipes).toBeGreaterThanOrEqual(1);
    // A's side drops every link connection (a network cut, a restart of its socket server).
    a.io.of(NODE_LINK_NAMESPACE).disconnectSockets(true);
    await eventually('the pulled producer closed on B', () => pulled.producer.closed);
    const again = await eventually('the producer pulled again', () => {
      const entry = b.room.producers.get(input.producer.id);
      return entry && entry !== pulled && !entry.producer.closed ? entry : undefined;
    });
    expect(again.remoteNode).toBe('a');
    expect(a.cascade.server.count(MEETING)).toBe(1);
    input.close();
  });

  it('keeps a working link, and what it carries, while the registry is late to see its node', async () => {
    const first = await cameraOnA('erin', 34_343_434);
    const url = live.get('a')!;
    // A's heartbeat is late (a busy database): the registry does not list it for a moment, and
    // another producer of A is pulled meanwhile, over the link that is still up.
    live.delete('a');
    try {
      const second = await cameraOnA('frank', 35_353_535);
      expect(second.pulled.remoteNode).toBe('a');
      expect(first.pulled.producer.closed).toBe(false);
    } finally {
      live.set('a', url);
    }
    first.input.close();
  });

  it('refuses bad link requests with a code naming the problem', async () => {
    const ask = (type: string, payload: unknown) => b.links.request('a', type as never, payload);
    const refused = async (ack: Promise<LinkAck>) => {
      const answer = await ack;
      if (answer.ok) throw new Error('expected a refusal');
      return answer.error;
    };
    expect(await refused(ask('pipe:teleport', {}))).toMatchObject({ code: 'CONFER_UNKNOWN_MESSAGE' });
    expect(await refused(ask('pipe:open', { meetingId: MEETING }))).toMatchObject({
      code: 'CONFER_VALIDATION_FAILED',
      field: 'end',
    });
    const end = {
      ip: '127.0.0.1',
      port: 9,
      srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: randomBytes(44).toString('base64') },
    };
    const otherSuite = {
      ...end,
      srtpParameters: { ...end.srtpParameters, cryptoSuite: 'AES_CM_128_HMAC_SHA1_80' },
    };
    expect(await refused(ask('pipe:open', { meetingId: MEETING, end: otherSuite }))).toMatchObject({
      code: 'CONFER_VALIDATION_FAILED',
      field: 'end.srtpParameters.cryptoSuite',
    });
    const shortKey = { ...end, srtpParameters: { ...end.srtpParameters, keyBase64: 'eA==' } };
    expect(await refused(ask('pipe:open', { meetingId: MEETING, end: shortKey }))).toMatchObject({
      code: 'CONFER_MEDIA_INVALID_PARAMETERS',
      field: 'end',
    });
    expect(await refused(ask('pipe:open', { meetingId: 'm_nowhere', end }))).toMatchObject({
      code: 'CONFER_MEDIA_UNAVAILABLE',
      field: 'meetingId',
    });
    expect(await refused(ask('pipe:consume', { pipeId: 'nope', producerId: 'x' }))).toMatchObject({
      code: 'CONFER_MEDIA_UNKNOWN_TRANSPORT',
      field: 'pipeId',
    });
    // A producer A itself pulled from B is B's to serve: never relayed.
    const peer = b.room.peerFor('erin', silent);
    const router = await b.room.assignRouter(peer);
    const onB = await plainProducer(router, 'audio', 34_343_434);
    b.room.registerProducer(peer, onB.producer, 'microphone', router).published = true;
    a.room.remote!.learn({
      producerId: onB.producer.id,
      participantId: 'erin',
      source: 'microphone',
      kind: 'audio',
      nodeId: 'b',
    });
    await eventually('B’s microphone pulled to A', () => a.room.producers.get(onB.producer.id));
    const pipes = await ask('pipe:open', { meetingId: MEETING, end });
    if (!pipes.ok) throw new Error(pipes.error.message);
    const { pipeId } = pipes.data as { pipeId: string };
    expect(await refused(ask('pipe:consume', { pipeId, producerId: onB.producer.id }))).toMatchObject({
      code: 'CONFER_MEDIA_UNKNOWN_PRODUCER',
    });
    expect((await ask('pipe:close', { pipeId })).ok).toBe(true);
    onB.close();
    // A node that is not live is not reached at all.
    await expect(b.links.request('zed', 'pipe:close', { pipeId })).rejects.toMatchObject({
      code: 'CONFER_MEDIA_NODE_UNREACHABLE',
    });
  });

  it("answers another node's quality:read with its own people's figures; a node that cannot answer is left out", async () => {
    const figures = { ann: { rttMs: 21.5, packetLossPct: 0, jitterMs: 2.1, bitrateKbps: 1480, score: 10 } };
    a.links.serve(qualityLinkServer((meetingId) => (meetingId === MEETING ? figures : undefined)));
    // 'zed' is not live: it is skipped, not waited for.
    expect(await readRemoteQuality(b.links, MEETING, ['a', 'zed'])).toEqual(figures);
    expect(await readRemoteQuality(b.links, 'm_nowhere', ['a'])).toEqual({});
    const refused = await b.links.request('a', 'quality:read', { meetingId: '' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'CONFER_VALIDATION_FAILED', field: 'meetingId' },
    });
  });

  it('lets only nodes of the deployment in', async () => {
    const refusal = (auth: object) =>
      new Promise<{ code?: string }>((resolve) => {
        const socket = connect(`${a.url}${NODE_LINK_NAMESPACE}`, { transports: ['websocket'], auth });
        socket.on('connect', () => {
          socket.disconnect();
          resolve({});
        });
        socket.on('connect_error', (error) => {
          socket.disconnect();
          resolve((error as Error & { data?: { code?: string } }).data ?? {});
        });
      });
    expect(await refusal({})).toEqual(expect.objectContaining({ code: 'CONFER_AUTH_MISSING' }));
    const foreign = await createNodeTokens('another-deployment-secret-of-32-characters!').issue('b');
    expect(await refusal({ token: foreign })).toEqual(
      expect.objectContaining({ code: 'CONFER_AUTH_INVALID' }),
    );
    // A participant's token, signed with the same secret, is not a node token.
    const participant = await createTokenService({ secret, participantTtlSeconds: 60 }).issueParticipantToken(
      MEETING,
      'p1',
      false,
    );
    expect(await refusal({ token: participant })).toEqual(
      expect.objectContaining({ code: 'CONFER_AUTH_INVALID' }),
    );
  });

  it('tells the source when the meeting closes on the pulling node', async () => {
    const { input } = await cameraOnA('frank', 35_353_535);
    expect(a.cascade.server.count(MEETING)).toBeGreaterThanOrEqual(1);
    b.room.close('room-empty');
    await eventually('A to close the pipes B no longer needs', () => a.cascade.server.count(MEETING) === 0);
    input.close();
  });
});
