import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore } from '../../infra/event-store/postgres-event-store';
import { createKafkaEventBus } from '../../infra/bus/kafka-event-bus';
import { TEST_AUTH_SECRET } from '../support/confer-process';
import {
  attend,
  chatFlow,
  inStreamOrder,
  strictlyIncreasing,
  type Attendee,
  type SentChat,
} from './attendee';
import {
  api,
  eventually,
  health,
  leaderOf,
  projectingNode,
  projectionMembers,
  readModels,
  startCluster,
  type Cluster,
} from './cluster';

/**
 * An app node crashing (SIGKILL) under a running meeting (issue 4, "Faults"): its participants
 * move to the other node and the meeting goes on; the forwarder lease and the projections'
 * partitions move with them, and the read models count every chat once.
 */
let cluster: Cluster;
const attendees: Attendee[] = [];
const url = (id: string) => cluster.node(id).url;
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

beforeAll(async () => {
  // A short grace period, so that a participant lost with a node is seen leaving within the test.
  cluster = await startCluster({ name: 'node_crash', env: { RECONNECT_GRACE_SECONDS: '8' } });
});
afterAll(async () => {
  for (const x of attendees) x.disconnect();
  await cluster?.stop();
});

const idOf = (nodeUrl: string) => (nodeUrl === url('a') ? 'a' : 'b');

async function everyoneShows(everyone: Attendee[], expected: string[], timeoutMs = 60_000) {
  await eventually(
    `all ${expected.length} chats on every socket`,
    () => everyone.every((x) => x.chats().length >= expected.length),
    { timeoutMs, intervalMs: 100 },
  );
  for (const x of everyone) expect(x.chats(), `${x.name} on ${x.socketNode}`).toEqual(expected);
}

describe('one app node late with its heartbeat, not dead', () => {
  it("leaves its participants alone while it still answers, whatever the registry's clock says", async () => {
    // The sweeper's node judges the other one; its heartbeat row is held locked, as a busy store would.
    const sweeping = await eventually('one node to hold the presence sweeper', async () => {
      const answers = await Promise.all(['a', 'b'].map(async (id) => ({ id, h: await health(url(id)) })));
      const holders = answers.filter((x) => x.h?.details.sweeping === true);
      return holders.length === 1 ? holders[0]!.id : undefined;
    });
    const late = sweeping === 'a' ? 'b' : 'a';
    const meeting = await api(url(sweeping)).createMeeting({ title: 'Late heartbeat' });
    const id = meeting.meetingId;
    const host = await attend({
      via: url(sweeping),
      socketOn: url(sweeping),
      meetingId: id,
      name: 'Host',
      hostToken: meeting.hostToken,
    });
    const eve = await attend({ via: url(sweeping), socketOn: url(late), meetingId: id, name: 'Eve' });
    attendees.push(host, eve);

    const ttlMs = 6000;
    const sweepEveryMs = 3000;
    const lock = new pg.Client({ connectionString: cluster.postgres.url });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      const row = await lock.query<{ doc: { lastSeen: string } }>(
        `SELECT doc FROM "projections"."docs" WHERE collection = '_nodes' AND key = $1 FOR UPDATE`,
        [late],
      );
      const lastSeen = Date.parse(row.rows[0]!.doc.lastSeen);
      // Past the TTL and two sweeps more: a sweeper that trusted the registry alone has acted.
      await eventually(
        `node ${late}'s heartbeat to be ${ttlMs + 2 * sweepEveryMs} ms late`,
        () => Date.now() - lastSeen > ttlMs + 2 * sweepEveryMs + 500,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }

    const aboutEve = host.shown
      .filter((m) => m.payload['participantId'] === eve.participantId)
      .map((m) => `${m.event}:${String(m.payload['connectionStatus'] ?? m.payload['reason'] ?? '')}`);
    expect(aboutEve.filter((m) => /reconnecting|participant-left/.test(m))).toEqual([]);
    // …because the sweeper asked the node, not because it never looked: its log and its metrics say so.
    expect(cluster.logTails(400)).toContain('node heartbeat is late but the node answers');
    const operator = await new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
    const metrics = await fetch(`${url(sweeping)}/metrics`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    const answered = /^confer_node_second_looks_total\{[^}]*answer="answered"[^}]*\} (\d+)/m.exec(
      await metrics.text(),
    );
    expect(Number(answered?.[1])).toBeGreaterThanOrEqual(1);
    const said = await eve.say('still here');
    expect(said.ok).toBe(true);
    await eventually('Host to see Eve still chatting', () => host.chats().includes('still here'));
    const roster = await api(url(sweeping)).call<{
      participants: Array<{ participantId: string; status: string; connectionStatus?: string }>;
    }>('GET', `/meetings/${id}/participants`, undefined, host.token);
    expect(roster.body.participants.find((p) => p.participantId === eve.participantId)).toMatchObject({
      status: 'joined',
      connectionStatus: 'connected',
    });
    host.disconnect();
    eve.disconnect();
  }, 90_000);
});

describe('one app node killed', () => {
  it('moves its participants to the other node, which takes the lease and carries the meeting on', async () => {
    const leader = await eventually('one node to lead the forwarder', () => leaderOf([url('a'), url('b')]));
    const survivor = leader === url('a') ? url('b') : url('a');

    // The meeting is placed on the leader (first joined through it); people on both nodes.
    const meeting = await api(leader).createMeeting({ title: 'Node crash' });
    const id = meeting.meetingId;
    const host = await attend({ via: leader, meetingId: id, name: 'Host', hostToken: meeting.hostToken });
    expect(host.socketNode).toBe(leader);
    const ann = await attend({ via: survivor, meetingId: id, name: 'Ann' });
    expect(ann.socketNode).toBe(leader);
    const bob = await attend({ via: survivor, socketOn: survivor, meetingId: id, name: 'Bob' });
    const cid = await attend({ via: leader, socketOn: survivor, meetingId: id, name: 'Cid' });
    // Dan is on the node that dies and never comes back.
    const dan = await attend({ via: leader, socketOn: leader, meetingId: id, name: 'Dan' });
    const everyone = [host, ann, bob, cid];
    attendees.push(...everyone, dan);

    const before: SentChat[] = [];
    for (const x of everyone) {
      const ack = await x.say(`hello from ${x.name}`);
      expect(ack.ok).toBe(true);
      before.push({
        from: x.name,
        message: `hello from ${x.name}`,
        ...(ack.ok ? { seq: ack.data.seq } : {}),
      });
    }
    await everyoneShows(everyone, inStreamOrder(before));

    await cluster.node(idOf(leader)).kill();
    // The meeting goes on at once for those on the survivor: commands only need the event store.
    const whileDown = chatFlow([bob], { prefix: 'while A is gone' });
    await eventually('Bob to chat on', () => whileDown.acknowledged().length >= 5);
    await whileDown.stop();
    expect(whileDown.sent.filter((c) => c.error)).toEqual([]);

    // The lease moves: the survivor forwards from the shared checkpoint.
    await eventually(
      'the survivor to take the forwarder lease',
      async () => (await health(survivor))?.details.leader,
    );

    // The crashed node's participants ask the survivor where to go: once the crashed node's
    // heartbeat is past the TTL, the meeting is moved there.
    for (const x of [host, ann]) {
      const target = await eventually(
        `${x.name} to be sent to the survivor`,
        async () => {
          const res = await api(survivor).call<{ webSocketUrl: string }>(
            'GET',
            `/meetings/${id}/connection`,
            undefined,
            x.token,
          );
          return res.body.webSocketUrl === `${survivor}/meetings/${id}` ? res.body.webSocketUrl : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(target).toBe(`${survivor}/meetings/${id}`);
      const rejoined = await x.connectTo(survivor, { rejoin: true });
      expect(rejoined.replayed).toBeGreaterThan(0);
    }

    // They got what they missed, and can chat.
    const upToNow = inStreamOrder([...before, ...whileDown.sent]);
    await everyoneShows(everyone, upToNow);
    const back = await host.say('back on the other node');
    expect(back.ok).toBe(true);
    const final = inStreamOrder([
      ...before,
      ...whileDown.sent,
      { from: 'Host', message: 'back on the other node', ...(back.ok ? { seq: back.data.seq } : {}) },
    ]);
    await everyoneShows(everyone, final);
    // Those who never moved saw every broadcast once, in order.
    for (const x of [bob, cid]) expect(strictlyIncreasing(x.rawSeqs()), x.name).toBe(true);

    // Dan's node could not say he dropped: the sweeper does, once the node is gone, and after
    // the grace period he has left. Those who came back through the survivor stay.
    const aboutDan = () =>
      bob.shown
        .filter((m) => m.payload['participantId'] === dan.participantId)
        .map((m) => `${m.event}:${String(m.payload['connectionStatus'] ?? m.payload['reason'])}`);
    await eventually(
      'Dan to be shown reconnecting, then gone',
      () => aboutDan().includes('participant-left:disconnected'),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    expect(aboutDan().slice(-2)).toEqual(['connection-update:reconnecting', 'participant-left:disconnected']);
    const roster = await api(survivor).call<{
      participants: Array<{ participantId: string; status: string }>;
    }>('GET', `/meetings/${id}/participants`, undefined, host.token);
    const status = new Map(roster.body.participants.map((p) => [p.participantId, p.status]));
    expect(status.get(dan.participantId)).toBe('left');
    for (const x of everyone) expect(status.get(x.participantId), x.name).toBe('joined');
  }, 180_000);
});

describe('a projection crashed mid-batch', () => {
  it('resumes from its checkpoint: the read models count every chat once', async () => {
    // Both nodes up again, both consuming the projections group.
    await Promise.all([cluster.startNode('a'), cluster.startNode('b')]);
    await eventually(
      'both nodes in the projections group',
      async () => {
        const members = await projectionMembers(cluster);
        return members.join() === 'a,b';
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    const meeting = await api(url('a')).createMeeting({ title: 'Projection crash' });
    const id = meeting.meetingId;
    // Partitions are assigned when members join: which node projects this meeting is known now.
    const projecting = await eventually(
      'the node projecting the meeting',
      () => projectingNode(cluster, id),
      {
        timeoutMs: 30_000,
        intervalMs: 500,
      },
    );
    const other = projecting === 'a' ? 'b' : 'a';
    const senders = [
      await attend({
        via: url(other),
        socketOn: url(other),
        meetingId: id,
        name: 'Host',
        hostToken: meeting.hostToken,
      }),
      await attend({ via: url(other), socketOn: url(other), meetingId: id, name: 'Ann' }),
      await attend({ via: url(other), socketOn: url(other), meetingId: id, name: 'Bob' }),
    ];
    attendees.push(...senders);

    // Chats flow fast from the node that stays; the projecting node is killed in the middle.
    // Each sender pauses 10 ms between acknowledged chats: with none, a quick store acknowledged
    // over the socket's budget of 200 a second and the test flooded itself with rate limits.
    const flow = chatFlow(senders, { prefix: 'mid-batch', pauseMs: 10 });
    await eventually('chat to flow', () => flow.acknowledged().length >= 40, { timeoutMs: 30_000 });
    await cluster.node(projecting).kill();
    const atKill = flow.acknowledged().length;
    await eventually('chat to flow on after the kill', () => flow.acknowledged().length >= atKill + 40, {
      timeoutMs: 30_000,
    });
    await flow.stop();
    expect(flow.sent.filter((c) => c.error)).toEqual([]);
    const acknowledged = inStreamOrder(flow.sent);

    // The survivor takes the partition over (after the group's session timeout) from the last
    // committed offset: batches the dead node had applied come again and must not count twice.
    const models = await eventually(
      `the read models to hold ${acknowledged.length} chats`,
      async () => {
        const read = await readModels(cluster.postgres.url, id);
        return read.chat.length >= acknowledged.length ? read : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(models.chat).toEqual(acknowledged);
    expect(models.chatCount).toBe(acknowledged.length);

    // At-least-once made certain: the whole stream published again, as a forwarder restarted from
    // an old checkpoint would. Nothing may count twice, and no socket may see anything twice.
    const store = await createPostgresEventStore({ connectionString: cluster.postgres.url });
    const bus = await createKafkaEventBus({
      brokers: cluster.kafka.brokers,
      clientId: 'confer-test-replayer',
      logger: quiet,
      topic: cluster.topic,
    });
    try {
      await bus.publish(await store.readStream(`meeting-${id}`));
    } finally {
      await Promise.all([bus.close(), store.close()]);
    }
    const marker = await senders[0]!.say('after the replay');
    expect(marker.ok).toBe(true);
    const withMarker = [...acknowledged, 'after the replay'];
    const replayed = await eventually(
      'the read models to take the marker (it comes after the replayed events)',
      async () => {
        const read = await readModels(cluster.postgres.url, id);
        return read.chat.at(-1) === 'after the replay' ? read : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(replayed.chat).toEqual(withMarker);
    expect(replayed.chatCount).toBe(withMarker.length);
    await everyoneShows(senders, withMarker);
    for (const x of senders) expect(strictlyIncreasing(x.rawSeqs()), x.name).toBe(true);
  }, 150_000);
});
