import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConferProcess, type ConferProcess } from '../test/support/confer-process';
import {
  CHAT_LOAD_BUDGETS,
  bareRelayTarget,
  conferTarget,
  runChatLoad,
  type ChatLoadOptions,
  type ChatTarget,
} from './chat-load';
import { testerClient } from './chat-share';
import { splitEvenly } from './chat-load-threads';
import { startRelay } from './relay-process';

/**
 * The chat tester must count every chat once whether its clients run on one thread or several:
 * a thread whose figures went missing, or a chat timed twice, would make the bench's percentiles
 * say nothing. Run against the bare relay, a real socket.io server.
 */
describe('the chat tester (bench/chat-load.ts) on one thread and on several', () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-relay-server.ts', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let url = '';
  beforeAll(async () => {
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    url = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`;
  });
  afterAll(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  const shape = { meetings: 7, participants: 3, ratePerSecond: 70, durationMs: 1500 };

  it.each([
    { threads: 1, tick: 10, order: 'by-meeting' as const },
    { threads: 3, tick: 1, order: 'by-meeting' as const },
    { threads: 2, tick: 10, order: 'shuffled' as const },
  ])(
    'times every chat at each other participant ($threads thread(s), tick $tick ms, $order)',
    async ({ threads, tick, order }) => {
      const sent = new Map<string, number>();
      const delivered = new Map<string, number[]>();
      const acks: number[] = [];
      const phases: [number, number][] = [];
      let started = 0;
      const result = await runChatLoad(bareRelayTarget(url), {
        ...shape,
        testerThreads: threads,
        sendTickMs: tick,
        sendOrder: order,
        onSendStart: () => started++,
        onSendPhase: (from, to) => phases.push([from, to]),
        onSent: (id, at) => {
          expect(sent.has(id)).toBe(false);
          sent.set(id, at);
        },
        onDelivered: (id, at) => delivered.set(id, [...(delivered.get(id) ?? []), at]),
        onAck: (_, ms) => acks.push(ms),
      });

      // ~1.5 s at 70/s, less the ticks not yet due when the window closed.
      expect(sent.size).toBeGreaterThanOrEqual(90);
      expect(sent.size).toBeLessThanOrEqual(105);
      expect(result.offeredPerSec).toBeGreaterThan(55);
      expect(result.ackedPerSec * 1.5).toBeCloseTo(sent.size, -1);
      expect(acks).toHaveLength(sent.size);
      expect(result.rejected).toBe(0);
      // Every chat reached the two others, once each, after it was sent, on the shared clock.
      expect(result.expectedDeliveries).toBe(sent.size * 2);
      expect(result.deliveries).toBe(result.expectedDeliveries);
      expect(result.latencyMs.count).toBe(result.deliveries);
      for (const [id, at] of sent) {
        const times = delivered.get(id) ?? [];
        expect(times, id).toHaveLength(2);
        for (const t of times) expect(t).toBeGreaterThanOrEqual(at);
      }
      expect(result.latencyMs.p50).toBeGreaterThan(0);
      expect(result.latencyMs.max).toBeLessThan(5000);
      // One sending phase, told once, around every send.
      expect(started).toBe(1);
      expect(phases).toHaveLength(1);
      const [from, to] = phases[0]!;
      expect(to - from).toBeGreaterThan(1_400_000);
      for (const at of sent.values()) expect(at * 1000).toBeGreaterThanOrEqual(from);
      // The threads' own ids: a prefix per thread, so none is counted as another's.
      const prefixes = new Set([...sent.keys()].map((id) => id.split('m')[0]));
      expect(prefixes.size).toBe(threads);
    },
  );

  it('takes turns with another load in windows, both started together, each sent its own share', async () => {
    // Two loads on the same server: A sends in the first 400 ms of every 1,000, B 500 ms later.
    const waiting: ((at: number) => void)[] = [];
    const startGate = () =>
      new Promise<number>((resolve) => {
        waiting.push(resolve);
        const at = Number(process.hrtime.bigint()) / 1e6 + 300;
        if (waiting.length === 2) for (const go of waiting) go(at);
      });
    const startedAt: number[] = [];
    const load = (offsetMs: number, threads: number) => {
      const sent: number[] = [];
      const result = runChatLoad(bareRelayTarget(url), {
        ...shape,
        durationMs: 1200,
        testerThreads: threads,
        windows: { periodMs: 1000, onMs: 400, offsetMs },
        startGate: async () => {
          const at = await startGate();
          startedAt.push(at);
          return at;
        },
        onSent: (_, at) => sent.push(at),
      });
      return result.then((r) => ({ r, sent }));
    };
    const [a, b] = await Promise.all([load(0, 2), load(500, 1)]);
    // One start for all three tester threads (two of A's, B's own).
    expect(new Set(startedAt).size).toBe(1);
    const start = startedAt[0]!;
    for (const [{ r, sent }, offset] of [
      [a, 0],
      [b, 500],
    ] as const) {
      // 1.2 s of windows at 70/s, each chat delivered to the two others.
      expect(sent.length).toBeGreaterThanOrEqual(75);
      expect(sent.length).toBeLessThanOrEqual(88);
      expect(r.ackedPerSec).toBeGreaterThan(60);
      expect(r.ackedPerSec).toBeLessThan(75);
      expect(r.deliveries).toBe(sent.length * 2);
      // Every chat inside its own load's windows (a late tick sends nothing; 5 ms of slack for
      // the tester threads' own delays in starting).
      for (const at of sent) {
        const into = (at - start - offset + 1000) % 1000;
        expect(into, `${offset}: ${at - start} ms after the start`).toBeLessThan(400 + 5);
      }
      // The third window is reached (1,200 ms of sending needs three of 400).
      expect(Math.max(...sent) - start).toBeGreaterThan(2000 + offset);
    }
  });

  it('sends a warm-up first and counts none of it', async () => {
    const ids: number[] = [];
    const result = await runChatLoad(bareRelayTarget(url), {
      ...shape,
      durationMs: 600,
      warmupMs: 500,
      testerThreads: 2,
      onSent: (id) => ids.push(Number(id.split('m')[1])),
    });
    // 600 ms counted at 70/s (42 chats), after 500 ms (35 chats, split over two threads) not.
    // (Fewer when a late tick meets the end.)
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(ids.length).toBeLessThanOrEqual(44);
    // The slower thread (3 meetings, 30/s) issued ~15 warm-up ids, less the last tick's.
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(12);
    expect(result.deliveries).toBe(ids.length * 2);
    expect(result.latencyMs.count).toBe(ids.length * 2);
    expect(result.ackedPerSec).toBeGreaterThan(45);
    expect(result.ackedPerSec).toBeLessThan(90);
  });

  it('refuses threads it cannot give a meeting each, and a target it cannot rebuild in a thread', async () => {
    const options: ChatLoadOptions = { ...shape, testerThreads: 8 };
    await expect(runChatLoad(bareRelayTarget(url), options)).rejects.toThrow(/at least as many meetings/);
    const opaque: ChatTarget = { name: 'opaque', openMeeting: async () => [] };
    await expect(runChatLoad(opaque, { ...shape, testerThreads: 2 })).rejects.toThrow(/cannot be rebuilt/);
  });

  it('splits meetings as evenly as they go', () => {
    expect(splitEvenly(1000, 3)).toEqual([334, 333, 333]);
    expect(splitEvenly(7, 7)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(splitEvenly(5, 2).reduce((a, b) => a + b)).toBe(5);
  });
});

/**
 * The tester forgets a chat once its last delivery has come (a long load would otherwise time its
 * own growing map), yet must still tell a server's own copy to the sender, which Confer sends, from
 * a chat delivered twice, which is a fault the bench has to show: both arrive after that moment.
 */
describe('the chat tester against relays whose copies come late', () => {
  const shape = { meetings: 4, participants: 3, ratePerSecond: 40, durationMs: 800, testerThreads: 2 };

  it.each([
    { mode: 'late-echo', copies: 2 },
    { mode: 'late-twice', copies: 4 },
  ])('counts each chat $copies times at the others ($mode)', async ({ mode, copies }) => {
    const relay = await startRelay('bench/bare-relay-server.ts', {}, [mode]);
    try {
      const ids: string[] = [];
      const result = await runChatLoad(bareRelayTarget(relay.url), {
        ...shape,
        onSent: (id) => ids.push(id),
      });
      expect(ids.length).toBeGreaterThan(20);
      expect(result.expectedDeliveries).toBe(ids.length * 2);
      expect(result.deliveries).toBe(ids.length * copies);
      // Only the first copy at each participant is timed.
      expect(result.latencyMs.count).toBe(ids.length * 2);
    } finally {
      relay.stop();
    }
  });
});

/**
 * The same tester against a real Confer, with each client the participants can use: the lean one
 * (the bench's default) must be to Confer what socket.io-client is, every chat acknowledged and
 * delivered to each other participant once, through Confer's namespaces and tokens.
 */
describe('the chat tester against Confer', () => {
  let confer: ConferProcess;
  beforeAll(async () => {
    confer = await startConferProcess({ ...CHAT_LOAD_BUDGETS, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    delete process.env.CHAT_TESTER_CLIENT;
    await confer?.dispose();
  });

  it.each(['lean', 'socket.io'])('carries every chat with the %s client', async (client) => {
    process.env.CHAT_TESTER_CLIENT = client;
    expect(testerClient()).toBe(client);
    const result = await runChatLoad(conferTarget(confer.url), {
      meetings: 4,
      participants: 3,
      ratePerSecond: 40,
      durationMs: 1000,
      testerThreads: 1,
    });
    expect(result.rejected).toBe(0);
    expect(result.ackedPerSec).toBeGreaterThan(0);
    expect(result.deliveries).toBe(result.expectedDeliveries);
    expect(result.latencyMs.count).toBe(result.expectedDeliveries);
  });
});
