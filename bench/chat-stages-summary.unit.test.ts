import { describe, expect, it } from 'vitest';
import { summarizeGc, summarizeStages, type ChatMoments } from './chat-stages-summary';

/** A message whose stages last the given ms, sent at `at`; answered 0.5 ms after its broadcast. */
function message(at: number, toServer: number, toBroadcast: number, out: number): ChatMoments {
  const received = at + toServer;
  const broadcast = received + toBroadcast;
  return { sent: at, received, broadcast, answered: broadcast + 0.5, delivered: broadcast + out };
}

describe('chat stages', () => {
  it('puts the slowest messages’ time in the stage that held them', () => {
    // 990 messages of 1 + 2.5 + 1 ms, and 10 (the slowest 1 %) held 50 ms on the way in.
    const messages = [
      ...Array.from({ length: 990 }, (_, i) => message(i, 1, 2.5, 1)),
      ...Array.from({ length: 10 }, (_, i) => message(1000 + i, 51, 2.5, 1)),
    ];
    const { rows, messages: timed } = summarizeStages(messages);
    expect(timed).toBe(1000);
    const row = (stage: string) => rows.find((r) => r.stage.startsWith(stage))!;
    expect(row('to the server')['slowest 1 %, mean ms']).toBe(51);
    expect(row('to the server')['median messages, mean ms']).toBe(1);
    expect(row('read → broadcast')['slowest 1 %, mean ms']).toBe(2.5);
    expect(row('read → answered')['p99 ms']).toBe(3);
    expect(row('total')['p50 ms']).toBe(4.5);
    expect(row('total')['p99 ms']).toBe(4.5);
    expect(row('total')['slowest 1 %, mean ms']).toBe(54.5);
    // The path's stages' means over the slowest add up to the total's.
    const parts = rows.slice(0, 3);
    expect(parts.reduce((sum, r) => sum + r['slowest 1 %, mean ms'], 0)).toBeCloseTo(54.5, 5);
  });

  it('leaves out a message missing a moment (never answered, never delivered)', () => {
    const { messages: timed } = summarizeStages([
      message(0, 1, 1, 1),
      { sent: 1, received: 2 },
      { ...message(2, 1, 1, 1), delivered: undefined },
    ]);
    expect(timed).toBe(1);
  });

  it('counts the collections inside the window only, and tells full ones from scavenges', () => {
    const gc = summarizeGc(
      [
        { at: 5, ms: 9, kind: 1 },
        { at: 10, ms: 3, kind: 1 },
        { at: 20, ms: 40, kind: 4 },
        { at: 31, ms: 7, kind: 1 },
      ],
      10,
      30,
    );
    expect(gc).toEqual({ pauses: 2, 'paused ms': 43, 'longest ms': 40, 'full-collection pauses': 1 });
  });
});
