import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { MeetingCommand } from '../domain/meeting/meeting.commands';
import type { Doc, RangeOptions } from '../domain/ports/projection-store';
import { actors, createMeeting, join, type ProjectionSpecWorld } from '../projections/projection.spec-helper';
import { projectionSpecWorlds } from '../test/support/projection-spec-worlds';
import { createNodeProbe } from './node-probe';
import { createNodeRegistry } from './node-registry';
import { createPresenceSweeper } from './presence-sweeper';

/*
 * The sweeper against the real presence read model, node registry and meeting decider (SQLite and
 * PostgreSQL): people connected through a node that is gone are shown reconnecting, then leave
 * after the grace period, unless they came back; a node that restarts lets go of its old sockets.
 */
const { backends, given } = projectionSpecWorlds('sweeper');
const { participant, host } = actors;
const GRACE_MS = 10_000;
const INTERVAL_MS = 1000;

const connect = (participantId: string, nodeId: string): MeetingCommand => ({
  type: 'SetConnectionStatus',
  participantId,
  connectionStatus: 'connected',
  nodeId,
});

/** A deployment seen at a time of the test's choosing: nodes beat on the shared store. */
function deployment(world: ProjectionSpecWorld) {
  // Set from the stream by catchUp() before anything reads it.
  let now = 0;
  const clock = { now: () => new Date(now) };
  const node = (nodeId: string, url = `http://${nodeId}`) =>
    createNodeRegistry({
      store: world.store,
      clock,
      self: { nodeId, url, media: true },
      load: () => 0,
    });
  const secondLooks: Array<[string, boolean]> = [];
  const sweeper = (
    selfNodeId: string,
    options: { secondLook?: boolean; store?: ProjectionSpecWorld['store'] } = {},
  ) => {
    const registry = node(selfNodeId);
    return createPresenceSweeper({
      store: options.store ?? world.store,
      registry,
      commands: world.meetings,
      clock,
      logger: pino({ level: 'silent' }),
      selfNodeId,
      graceMs: GRACE_MS,
      intervalMs: INTERVAL_MS,
      ...(options.secondLook
        ? {
            answers: createNodeProbe({ timeoutMs: 500 }),
            onSecondLook: (nodeId: string, answered: boolean) => secondLooks.push([nodeId, answered]),
          }
        : {}),
    });
  };
  return {
    node,
    sweeper,
    secondLooks,
    advance(ms: number) {
      now += ms;
    },
    /** The events carry the spec world's clock: the deployment's time starts from the last one. */
    async catchUp() {
      const last = (await world.history()).at(-1);
      if (last) now = Math.max(now, Date.parse(last.occurredAt));
    },
  };
}

async function meetingWithAnnOnAAndBobOnB(world: ProjectionSpecWorld) {
  await world.command('m1', createMeeting('m1'), host);
  await world.command('m1', join('ann'), participant('ann'));
  await world.command('m1', join('bob'), participant('bob'));
  await world.command('m1', connect('ann', 'a'), participant('ann'));
  await world.command('m1', connect('bob', 'b'), participant('bob'));
  await world.project();
}

const statusOf = async (world: ProjectionSpecWorld, participantId: string) => {
  world.meetings.invalidate('m1');
  const p = (await world.meetings.load('m1')).state.participants[participantId];
  return `${p?.status}/${p?.connectionStatus}`;
};

describe.each(backends)('presence sweeper on $name', (backend) => {
  it('shows the people of a node that died reconnecting, and gone after the grace period', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    await d.catchUp();
    const a = d.node('a');
    await a.start();
    await a.stop(); // gone, and said so: its record is removed, so there is nobody to ask
    await d.node('b').start();
    const sweeper = d.sweeper('b', { secondLook: true });

    expect(await sweeper.sweep()).toBe(1);
    expect(d.secondLooks).toEqual([]);
    expect(await statusOf(world, 'ann')).toBe('joined/reconnecting');
    expect(await statusOf(world, 'bob')).toBe('joined/connected');
    await world.project();
    await d.catchUp();
    // Within the grace period nothing more happens.
    d.advance(GRACE_MS / 2);
    expect(await sweeper.sweep()).toBe(0);
    d.advance(GRACE_MS);
    await d.node('b').start(); // a fresh heartbeat at the new time
    expect(await sweeper.sweep()).toBe(1);
    expect(await statusOf(world, 'ann')).toBe('left/disconnected');
    expect(await statusOf(world, 'bob')).toBe('joined/connected');
  });

  it('leaves alone whoever came back through a live node meanwhile', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    await d.catchUp();
    await d.node('b').start();
    const sweeper = d.sweeper('b');
    expect(await sweeper.sweep()).toBe(1);
    // Ann is back through B before the read model shows it: the sweep is decided on the stream.
    await world.command('m1', connect('ann', 'b'), participant('ann'));
    d.advance(2 * GRACE_MS);
    await d.node('b').start();
    await sweeper.sweep();
    expect(await statusOf(world, 'ann')).toBe('joined/connected');
  });

  it('reads only the people shown reconnecting on a live node, and still ends an overdue stay', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await world.command('m1', createMeeting('m1'), host);
    for (const who of ['ann', 'bob', 'cy', 'dee']) {
      await world.command('m1', join(who), participant(who));
      await world.command('m1', connect(who, 'b'), participant(who));
    }
    // Ann drops, and B's grace timer for her is lost (a restart in between, say).
    await world.command(
      'm1',
      { type: 'SetConnectionStatus', participantId: 'ann', connectionStatus: 'reconnecting', nodeId: 'b' },
      participant('ann'),
    );
    await world.project();
    await d.catchUp();
    const read: Record<string, number> = {};
    const counting: ProjectionSpecWorld['store'] = {
      ...world.store,
      async range<T extends Doc = Doc>(collection: string, partition: string, options: RangeOptions) {
        const page = await world.store.range<T>(collection, partition, options);
        read[collection] = (read[collection] ?? 0) + page.length;
        return page;
      },
    };
    await d.node('b').start();
    const sweeper = d.sweeper('b', { store: counting });

    expect(await sweeper.sweep()).toBe(0); // within her grace period
    d.advance(GRACE_MS + 3 * INTERVAL_MS);
    await d.node('b').start();
    expect(await sweeper.sweep()).toBe(1);
    expect(await statusOf(world, 'ann')).toBe('left/disconnected');
    expect(await statusOf(world, 'bob')).toBe('joined/connected');
    // Two passes over B read Ann twice, and the three connected people not at all.
    expect(read).toEqual({ presence_reconnecting: 2 });
  });

  it('lets a restarted node drop the connections it had before', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    expect(await d.sweeper('a').sweepOwn()).toBe(1);
    expect(await statusOf(world, 'ann')).toBe('joined/reconnecting');
    expect(await statusOf(world, 'bob')).toBe('joined/connected');
  });

  it('asks a late node before judging it, and judges it once it is silent twice in a row', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    await d.catchUp();
    // Node A serves (its /healthz answers as A) while `up`, and says it is unwell otherwise; its
    // heartbeat is long past the TTL throughout.
    let up = true;
    const a = createServer((_request, response) => {
      response.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: up, details: { node: 'a' } }));
    });
    await new Promise<void>((ready) => a.listen(0, '127.0.0.1', ready));
    try {
      await d.node('a', `http://127.0.0.1:${(a.address() as AddressInfo).port}`).start();
      d.advance(60_000);
      await d.node('b').start();
      const sweeper = d.sweeper('b', { secondLook: true });
      const passes: number[] = [];
      for (const answering of [true, false, true, false]) {
        up = answering;
        passes.push(await sweeper.sweep());
      }
      // Answered, silent once, answered, silent once: never twice in a row, so nobody was judged.
      expect(passes).toEqual([0, 0, 0, 0]);
      expect(await statusOf(world, 'ann')).toBe('joined/connected');
      // Silent again, the second time in a row: gone.
      expect(await sweeper.sweep()).toBe(1);
      expect(await statusOf(world, 'ann')).toBe('joined/reconnecting');
      expect(await statusOf(world, 'bob')).toBe('joined/connected');
      // One look a pass at the late node only (B is live: never asked).
      expect(d.secondLooks).toEqual([
        ['a', true],
        ['a', false],
        ['a', true],
        ['a', false],
        ['a', false],
      ]);
    } finally {
      await new Promise((done) => a.close(done));
    }
  });

  it('counts silent looks in a row only while someone is shown connected through the node', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    await d.catchUp();
    // Node A's heartbeat is long past its TTL, and its address refuses connections.
    await d.node('a', 'http://127.0.0.1:9').start();
    d.advance(60_000);
    await d.node('b').start();
    const sweeper = d.sweeper('b', { secondLook: true });
    expect(await sweeper.sweep()).toBe(0); // silent once
    // Ann moves to B: nobody is connected through A, so A is not looked at (and its count is dropped).
    await world.command('m1', connect('ann', 'b'), participant('ann'));
    await world.project();
    expect(await sweeper.sweep()).toBe(0);
    // She is placed back on A later: its first silence now is a first again, not a second.
    await world.command('m1', connect('ann', 'a'), participant('ann'));
    await world.project();
    expect(await sweeper.sweep()).toBe(0);
    expect(await statusOf(world, 'ann')).toBe('joined/connected');
    expect(await sweeper.sweep()).toBe(1);
    expect(await statusOf(world, 'ann')).toBe('joined/reconnecting');
    expect(d.secondLooks).toEqual([
      ['a', false],
      ['a', false],
      ['a', false],
    ]);
  });

  it('judges nobody while it cannot see itself live', async () => {
    const world = await given(backend);
    const d = deployment(world);
    await meetingWithAnnOnAAndBobOnB(world);
    // No heartbeat at all (the registry is empty): every node would look dead.
    expect(await d.sweeper('b').sweep()).toBe(0);
    expect(await statusOf(world, 'ann')).toBe('joined/connected');
  });
});
