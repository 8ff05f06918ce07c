import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attend, strictlyIncreasing, type Attendee } from './attendee';
import { api, eventually, readModels, startCluster, storedEvents, type Cluster } from './cluster';

/**
 * Two app nodes sharing PostgreSQL (event store, read models) and Kafka (issue 4, "Several
 * nodes"; issue 6: the two-node tests run on the PostgreSQL event store).
 */
let cluster: Cluster;
let a: string;
let b: string;
const attendees: Attendee[] = [];

beforeAll(async () => {
  cluster = await startCluster({ name: 'two_nodes' });
  a = cluster.node('a').url;
  b = cluster.node('b').url;
});
afterAll(async () => {
  for (const x of attendees) x.disconnect();
  await cluster?.stop();
});

const connectionUrl = async (nodeUrl: string, meetingId: string, token: string) => {
  const res = await api(nodeUrl).call<{ webSocketUrl: string }>(
    'GET',
    `/meetings/${meetingId}/connection`,
    undefined,
    token,
  );
  expect(res.status).toBe(200);
  return res.body.webSocketUrl;
};

describe('participants on different nodes', () => {
  it('see each other’s roster, chat, media state and hands, in order, each once', async () => {
    const meeting = await api(a).createMeeting({ title: 'Across nodes' });
    const id = meeting.meetingId;
    // Sockets deliberately spread over both nodes, joined through either.
    const host = await attend({
      via: a,
      socketOn: a,
      meetingId: id,
      name: 'Host',
      hostToken: meeting.hostToken,
    });
    const ann = await attend({ via: b, socketOn: b, meetingId: id, name: 'Ann' });
    const bob = await attend({ via: a, socketOn: b, meetingId: id, name: 'Bob' });
    const cid = await attend({ via: b, socketOn: a, meetingId: id, name: 'Cid' });
    const everyone = [host, ann, bob, cid];
    attendees.push(...everyone);
    expect(new Set(everyone.map((x) => x.socketNode))).toEqual(new Set([a, b]));

    // Roster: the host (on A) saw Ann and Cid join through B; Ann (on B) saw Cid join.
    const joinedSeen = (x: Attendee, who: Attendee) =>
      x.shown.some(
        (m) =>
          m.event === 'participant-joined' &&
          (m.payload['participant'] as { participantId: string }).participantId === who.participantId,
      );
    await eventually(
      'everyone to see the later joiners join',
      () =>
        [ann, bob, cid].every((who) => joinedSeen(host, who)) && joinedSeen(ann, cid) && joinedSeen(bob, cid),
    );

    // Chat from all four at once, five each.
    const acks = await Promise.all(
      everyone.map(async (x) => {
        const mine = [];
        for (let i = 0; i < 5; i++) {
          const ack = await x.say(`${x.name} ${i}`);
          expect(ack.ok, `${x.name} ${i}: ${JSON.stringify(ack)}`).toBe(true);
          if (ack.ok) mine.push({ message: `${x.name} ${i}`, seq: ack.data.seq });
        }
        return mine;
      }),
    );
    const inSeqOrder = acks
      .flat()
      .sort((p, q) => p.seq - q.seq)
      .map((c) => c.message);
    expect(inSeqOrder).toHaveLength(20);

    // Media state and hands, from participants on each node.
    expect((await ann.send('mute', { mediaType: 'audio' })).ok).toBe(true);
    expect((await cid.send('mute', { mediaType: 'video' })).ok).toBe(true);
    expect((await bob.send('raise-hand')).ok).toBe(true);
    expect((await host.send('lower-hand', { participantId: bob.participantId })).ok).toBe(true);
    const left = await cid.send('leave');
    expect(left.ok).toBe(true);
    const finalSeq = left.ok ? left.data.seq : Infinity;

    const stayers = [host, ann, bob];
    await eventually(`everyone to reach seq ${finalSeq}`, () => stayers.every((x) => x.lastSeq >= finalSeq));

    for (const x of everyone) {
      // Exactly once and in stream order, on whichever node the socket is.
      expect(strictlyIncreasing(x.rawSeqs()), `${x.name} on ${x.socketNode}: ${x.rawSeqs().join(',')}`).toBe(
        true,
      );
      expect(x.chats(), x.name).toEqual(inSeqOrder);
    }
    // From Cid's arrival on, the three who stayed saw the very same messages (same event, same seq).
    const cidJoinedSeq = host.shown.find(
      (m) =>
        m.event === 'participant-joined' &&
        (m.payload['participant'] as { participantId: string }).participantId === cid.participantId,
    )!.payload.seq;
    const from = (x: Attendee) => x.shown.filter((m) => m.payload.seq >= cidJoinedSeq);
    expect(from(ann)).toEqual(from(host));
    expect(from(bob)).toEqual(from(host));

    const media = host.shown.filter((m) => m.event === 'media-update').map((m) => m.payload);
    expect(media).toEqual([
      expect.objectContaining({ participantId: ann.participantId, audio: false, video: true }),
      expect.objectContaining({ participantId: cid.participantId, audio: true, video: false }),
    ]);
    const hands = host.shown
      .filter((m) => m.event.startsWith('hand-'))
      .map((m) => [m.event, m.payload['participantId']]);
    expect(hands).toEqual([
      ['hand-raised', bob.participantId],
      ['hand-lowered', bob.participantId],
    ]);
    const leaves = from(ann).filter((m) => m.event === 'participant-left');
    expect(leaves.map((m) => [m.payload['participantId'], m.payload['reason']])).toEqual([
      [cid.participantId, 'left'],
    ]);

    // The read models (projected by whichever node owns the meeting's partition) agree.
    const models = await eventually('the directory to count 20 chats', async () => {
      const read = await readModels(cluster.postgres.url, id);
      return read.chatCount === 20 ? read : undefined;
    });
    expect(models.chat).toEqual(inSeqOrder);
    // The roster is a read model too: Cid's leave (the last event) may land a batch after the chats.
    const stayed = [host, ann, bob].map((x) => x.participantId).sort();
    const present = async () =>
      (
        await api(b).call<{ participants: { participantId: string }[] }>(
          'GET',
          `/meetings/${id}`,
          undefined,
          ann.token,
        )
      ).body.participants
        .map((p) => p.participantId)
        .sort();
    await eventually('the roster to show who stayed', async () =>
      JSON.stringify(await present()) === JSON.stringify(stayed) ? true : undefined,
    );
    expect(await present()).toEqual(stayed);
  }, 60_000);
});

describe('peer signaling across nodes', () => {
  it("relays the design's offer and answer to a participant connected through another node, and nothing to one who left", async () => {
    const meeting = await api(a).createMeeting({ title: 'Mesh across nodes' });
    const id = meeting.meetingId;
    const host = await attend({
      via: a,
      socketOn: a,
      meetingId: id,
      name: 'Host',
      hostToken: meeting.hostToken,
    });
    const ann = await attend({ via: b, socketOn: b, meetingId: id, name: 'Ann' });
    attendees.push(host, ann);
    expect(host.socketNode).not.toBe(ann.socketNode);
    // The relay finds Ann's node in the meeting's stream (her connection's event names it).
    await eventually('Ann to be connected through B', async () =>
      (await storedEvents(cluster.postgres.url, id)).some(
        (e) =>
          e.type === 'ParticipantConnectionChanged' &&
          e.data['participantId'] === ann.participantId &&
          e.data['nodeId'] === 'b',
      ),
    );
    // …and node A has read it too: the host (on A) was told Ann is connected, which A sends only
    // after taking the event into its own state.
    await eventually('node A to know Ann is connected', () =>
      host.shown.some(
        (m) =>
          m.event === 'connection-update' &&
          m.payload['participantId'] === ann.participantId &&
          m.payload['connectionStatus'] === 'connected',
      ),
    );

    const received = (who: typeof ann, type: 'offer' | 'answer') =>
      new Promise<unknown>((resolve) => who.socket.once(type, resolve));
    const sdp = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    const annGets = received(ann, 'offer');
    expect(await host.send('offer', { type: 'offer', to: ann.participantId, sdp })).toEqual({
      ok: true,
      data: { delivered: 1 },
    });
    expect(await annGets).toEqual({ type: 'offer', from: host.participantId, sdp });

    const answer = { type: 'answer', sdp: sdp.sdp };
    const hostGets = received(host, 'answer');
    expect(await ann.send('answer', { to: host.participantId, sdp: answer })).toMatchObject({ ok: true });
    expect(await hostGets).toEqual({ type: 'answer', from: ann.participantId, sdp: answer });

    // Once Ann has left, the relay refuses: nothing reaches her other node.
    expect(await ann.send('leave')).toMatchObject({ ok: true });
    const refused = await host.send('ice-candidate', {
      to: ann.participantId,
      candidate: {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'CONFER_PARTICIPANT_NOT_JOINED', field: 'to' },
    });
  });
});

describe('media placement', () => {
  it('answers the placed node’s URL on every node, keeps it across restarts, and moves it when the node dies', async () => {
    const meeting = await api(a).createMeeting({ title: 'Placement' });
    const id = meeting.meetingId;
    const first = await api(a).join(id, 'First');
    expect(first.webSocketUrl).toBe(`${a}/meetings/${id}`);
    // Joined through B, for a meeting placed on A: A's URL.
    const second = await api(b).join(id, 'Second');
    expect(second.webSocketUrl).toBe(`${a}/meetings/${id}`);
    expect(await connectionUrl(b, id, second.token)).toBe(`${a}/meetings/${id}`);
    expect(await connectionUrl(a, id, first.token)).toBe(`${a}/meetings/${id}`);

    const placements = async () =>
      (await storedEvents(cluster.postgres.url, id)).filter((e) => e.type === 'MediaNodeAssigned');
    expect((await placements()).map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'a', url: a, previousNodeId: null }),
    ]);

    // Both nodes restart: the placement is read back from the event, not chosen again.
    await Promise.all([cluster.node('a').stop(), cluster.node('b').stop()]);
    await Promise.all([cluster.startNode('a'), cluster.startNode('b')]);
    expect(await connectionUrl(b, id, second.token)).toBe(`${a}/meetings/${id}`);
    expect((await api(b).join(id, 'Third')).webSocketUrl).toBe(`${a}/meetings/${id}`);
    expect(await placements()).toHaveLength(1);

    // A crashes: once its heartbeat is older than the registry's TTL (6 s), B takes the meeting.
    await cluster.node('a').kill();
    const moved = await eventually(
      'the meeting to move to B',
      async () => {
        const url = await connectionUrl(b, id, second.token);
        return url === `${b}/meetings/${id}` ? url : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(moved).toBe(`${b}/meetings/${id}`);
    expect((await api(b).join(id, 'Fourth')).webSocketUrl).toBe(`${b}/meetings/${id}`);
    expect((await placements()).map((e) => e.data)).toEqual([
      expect.objectContaining({ nodeId: 'a' }),
      expect.objectContaining({ nodeId: 'b', url: b, previousNodeId: 'a' }),
    ]);
  }, 120_000);
});
