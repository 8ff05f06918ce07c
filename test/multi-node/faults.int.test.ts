import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attend, chatFlow, inStreamOrder, strictlyIncreasing, type Attendee } from './attendee';
import { api, eventually, readModels, startCluster, storedEvents, type Cluster } from './cluster';

/**
 * The shared services failing under a running meeting: Kafka stopped in the middle of a chat
 * (issue 4, "Faults") and PostgreSQL going away while commands flow (issue 6, "Bad input and
 * faults"). Two nodes, participants on both.
 */
let cluster: Cluster;
let a: string;
let b: string;
const attendees: Attendee[] = [];

beforeAll(async () => {
  cluster = await startCluster({ name: 'faults' });
  a = cluster.node('a').url;
  b = cluster.node('b').url;
});
afterAll(async () => {
  for (const x of attendees) x.disconnect();
  await cluster?.stop();
});

/** A meeting with a host on A and participants on both nodes. */
async function meetingAcrossNodes(title: string) {
  const meeting = await api(a).createMeeting({ title });
  const id = meeting.meetingId;
  const host = await attend({
    via: a,
    socketOn: a,
    meetingId: id,
    name: 'Host',
    hostToken: meeting.hostToken,
  });
  const ann = await attend({ via: b, socketOn: b, meetingId: id, name: 'Ann' });
  const bob = await attend({ via: a, socketOn: b, meetingId: id, name: 'Bob' });
  const everyone = [host, ann, bob];
  attendees.push(...everyone);
  return { id, host, ann, bob, everyone };
}

const storedChats = async (meetingId: string) =>
  (await storedEvents(cluster.postgres.url, meetingId))
    .filter((e) => e.type === 'ChatMessageSent')
    .map((e) => String(e.data['content']));

/** Every attendee shows exactly `expected` (in that order), and no broadcast arrived twice. */
async function everyoneShows(everyone: Attendee[], expected: string[], timeoutMs = 60_000) {
  await eventually(
    `all ${expected.length} chats on every socket`,
    () => everyone.every((x) => x.chats().length >= expected.length),
    { timeoutMs, intervalMs: 100 },
  );
  for (const x of everyone) {
    expect(x.chats(), `${x.name} on ${x.socketNode}`).toEqual(expected);
    expect(strictlyIncreasing(x.rawSeqs()), `${x.name}: ${x.rawSeqs().join(',')}`).toBe(true);
  }
}

async function readModelsAgree(meetingId: string, expected: string[]) {
  const models = await eventually(
    `the read models to hold ${expected.length} chats`,
    async () => {
      const read = await readModels(cluster.postgres.url, meetingId);
      return read.chatCount === expected.length && read.chat.length === expected.length ? read : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  expect(models.chat).toEqual(expected);
}

describe('Kafka stopped in the middle of a chat', () => {
  it('still acknowledges and stores every command, and delivers each once, in order, when it is back', async () => {
    const { id, host, ann, bob, everyone } = await meetingAcrossNodes('Kafka outage');
    const before = chatFlow([host, ann], { prefix: 'before' });
    await eventually('some chat to flow', () => before.acknowledged().length >= 6);
    await before.stop();
    await everyoneShows(everyone, inStreamOrder(before.sent));

    await cluster.kafka.stopBroker();
    // Commands only need the event store: they keep being acknowledged with the bus down.
    const during = chatFlow([host, ann, bob], { prefix: 'during' });
    await eventually('chat to go on while Kafka is down', () => during.acknowledged().length >= 15);
    await during.stop();
    expect(during.sent.filter((c) => c.error)).toEqual([]);
    const acknowledged = inStreamOrder([...before.sent, ...during.sent]);
    expect(await storedChats(id)).toEqual(acknowledged);

    await cluster.kafka.startBroker();
    // Fan-out resumes by itself: what was stored meanwhile reaches both nodes' sockets, once each.
    await everyoneShows(everyone, acknowledged, 90_000);

    const after = chatFlow([bob], { prefix: 'after' });
    await eventually('chat after the outage', () => after.acknowledged().length >= 3);
    await after.stop();
    const all = inStreamOrder([...before.sent, ...during.sent, ...after.sent]);
    await everyoneShows(everyone, all);
    await readModelsAgree(id, all);
  }, 180_000);
});

describe('PostgreSQL going away while commands flow', () => {
  it('refuses commands with a retryable code while it is down, loses nothing acknowledged, and recovers by itself', async () => {
    const { id, host, ann, bob, everyone } = await meetingAcrossNodes('PostgreSQL outage');
    const flow = chatFlow([host, ann, bob], { prefix: 'pg' });
    await eventually('chat to flow', () => flow.acknowledged().length >= 6);

    // Down: every command is refused with CONFER_STORE_UNAVAILABLE, over the socket and over HTTP.
    await cluster.postgres.shutdown('fast');
    const refused = await ann.say('while the store is down');
    expect(!refused.ok && refused.error.code).toBe('CONFER_STORE_UNAVAILABLE');
    const join = await api(b).call<{ error: { code: string } }>('POST', `/meetings/${id}/join`, {
      displayName: 'Late',
    });
    expect(join.status).toBe(503);
    expect(join.body.error.code).toBe('CONFER_STORE_UNAVAILABLE');

    await cluster.postgres.start();
    const afterStart = flow.sent.length;
    await eventually(
      'commands to be acknowledged again',
      () => flow.sent.slice(afterStart).filter((c) => c.seq !== undefined).length >= 6,
    );
    // And a restart in the middle of the flow (stop, start at once).
    await cluster.postgres.restart();
    const afterRestart = flow.sent.length;
    await eventually(
      'commands to be acknowledged after the restart',
      () => flow.sent.slice(afterRestart).filter((c) => c.seq !== undefined).length >= 6,
    );
    await flow.stop();

    const errors = new Set(flow.sent.flatMap((c) => (c.error ? [c.error] : [])));
    expect([...errors].filter((code) => code !== 'CONFER_STORE_UNAVAILABLE')).toEqual([]);
    const acknowledged = inStreamOrder(flow.sent);
    // Nothing acknowledged is lost. (A refusal means "not known to be stored": a commit whose
    // answer was cut off by the shutdown may be there, so the store is the reference.)
    const stored = await storedChats(id);
    expect(stored.filter((m) => acknowledged.includes(m))).toEqual(acknowledged);
    const sentMessages = new Set(flow.sent.map((c) => c.message));
    expect(stored.filter((m) => !sentMessages.has(m))).toEqual([]);
    await everyoneShows(everyone, stored, 90_000);
    await readModelsAgree(id, stored);
    // The joiner that was refused can join now.
    expect((await api(b).join(id, 'Late')).status).toBe('joined');
  }, 180_000);
});
