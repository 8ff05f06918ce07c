import { describe, expect, it } from 'vitest';
import type { ConnectionQuality } from '../protocol/signaling';
import { QUALITY_REFRESH_MS, QualityFanout, noticeablyChanged } from './quality-fanout';

const q = (over: Partial<ConnectionQuality> = {}): ConnectionQuality => ({
  rttMs: 40,
  packetLossPct: 0,
  jitterMs: 4,
  bitrateKbps: 1200,
  score: 10,
  ...over,
});

/** Peers are whatever the SFU keeps per person; here, objects with a name. */
const peer = (name: string) => ({ name });
/** Everyone in their first session. */
const all = (...peers: Array<{ name: string }>) => peers.map((p) => ({ peer: p, session: 't1' }));
const byName = (deliveries: Array<[{ name: string }, Record<string, ConnectionQuality>]>) =>
  Object.fromEntries(deliveries.map(([p, entries]) => [p.name, Object.keys(entries).sort()]));

describe('noticeablyChanged', () => {
  it('ignores the round-to-round noise and catches what moves the bars or the numbers', () => {
    expect(noticeablyChanged(q(), q({ rttMs: 42, jitterMs: 5, bitrateKbps: 1100, packetLossPct: 0.3 }))).toBe(
      false,
    );
    expect(noticeablyChanged(q(), q({ score: 9 }))).toBe(true);
    expect(noticeablyChanged(q(), q({ packetLossPct: 0.5 }))).toBe(true);
    expect(noticeablyChanged(q(), q({ rttMs: 46 }))).toBe(true);
    expect(noticeablyChanged(q(), q({ jitterMs: 7 }))).toBe(true);
    expect(noticeablyChanged(q(), q({ bitrateKbps: 900 }))).toBe(true);
    expect(noticeablyChanged(q(), q({ rttMs: null }))).toBe(true);
    expect(noticeablyChanged(q({ rttMs: null }), q({ rttMs: null }))).toBe(false);
  });
});

describe('QualityFanout', () => {
  it('gives everyone the whole room first, then only what changed, to all at once', () => {
    const fanout = new QualityFanout<{ name: string }>();
    const [ann, bob, cid] = [peer('ann'), peer('bob'), peer('cid')];
    const room = { ann: q(), bob: q(), cid: q() };
    expect(byName(fanout.round(room, all(ann, bob, cid), 0))).toEqual({
      ann: ['ann', 'bob', 'cid'],
      bob: ['ann', 'bob', 'cid'],
      cid: ['ann', 'bob', 'cid'],
    });
    // Noise only: nobody is sent anything.
    expect(
      fanout.round({ ann: q({ rttMs: 41 }), bob: q({ jitterMs: 5 }), cid: q() }, all(ann, bob, cid), 5_000),
    ).toEqual([]);
    // Bob's connection degrades: everyone hears of Bob, and of Bob only.
    const worse = q({ packetLossPct: 6, score: 5 });
    const round = fanout.round({ ann: q(), bob: worse, cid: q() }, all(ann, bob, cid), 10_000);
    expect(byName(round)).toEqual({ ann: ['bob'], bob: ['bob'], cid: ['bob'] });
    expect(round[0]![1]['bob']).toEqual(worse);
  });

  it('gives a newcomer the whole room while the others get only the news', () => {
    const fanout = new QualityFanout<{ name: string }>();
    const [ann, bob] = [peer('ann'), peer('bob')];
    fanout.round({ ann: q() }, all(ann), 0);
    expect(byName(fanout.round({ ann: q(), bob: q() }, all(ann, bob), 5_000))).toEqual({
      ann: ['bob'],
      bob: ['ann', 'bob'],
    });
  });

  it('sends everything again once it is QUALITY_REFRESH_MS old, and someone back after leaving as news', () => {
    const fanout = new QualityFanout<{ name: string }>();
    const [ann, bob] = [peer('ann'), peer('bob')];
    fanout.round({ ann: q(), bob: q() }, all(ann, bob), 0);
    expect(fanout.round({ ann: q(), bob: q() }, all(ann, bob), QUALITY_REFRESH_MS - 1)).toEqual([]);
    expect(byName(fanout.round({ ann: q(), bob: q() }, all(ann, bob), QUALITY_REFRESH_MS))).toEqual({
      ann: ['ann', 'bob'],
      bob: ['ann', 'bob'],
    });
    // Bob leaves (his peer goes), then joins again as a new peer with the same figures.
    fanout.round({ ann: q() }, all(ann), QUALITY_REFRESH_MS + 5_000);
    const bobAgain = peer('bob');
    expect(
      byName(fanout.round({ ann: q(), bob: q() }, all(ann, bobAgain), QUALITY_REFRESH_MS + 10_000)),
    ).toEqual({
      ann: ['bob'],
      bob: ['ann', 'bob'],
    });
  });

  it('gives someone whose client started over (a new receiving transport) the whole room again', () => {
    const fanout = new QualityFanout<{ name: string }>();
    const [ann, bob] = [peer('ann'), peer('bob')];
    fanout.round({ ann: q(), bob: q() }, all(ann, bob), 0);
    const reloaded = [
      { peer: ann, session: 't1' },
      { peer: bob, session: 't2' },
    ];
    expect(byName(fanout.round({ ann: q(), bob: q() }, reloaded, 5_000))).toEqual({ bob: ['ann', 'bob'] });
  });

  it('in a meeting of 500 sends a steady round ~nothing, where the whole room to everyone was 250,000 entries', () => {
    const fanout = new QualityFanout<{ name: string }>();
    const peers = Array.from({ length: 500 }, (_, i) => peer(`p${i}`));
    const room = (noise: number) =>
      Object.fromEntries(
        peers.map((p, i) => [p.name, q({ rttMs: 40 + ((i + noise) % 3), bitrateKbps: 1200 + noise })]),
      );
    const entries = (d: ReturnType<typeof fanout.round>) =>
      d.reduce((n, [, e]) => n + Object.keys(e).length, 0);
    expect(entries(fanout.round(room(0), all(...peers), 0))).toBe(250_000);
    expect(entries(fanout.round(room(1), all(...peers), 5_000))).toBe(0);
    // Ten people's connections change: ten entries to each of 500.
    const changed = room(2);
    for (let i = 0; i < 10; i++) changed[`p${i}`] = q({ score: 6 });
    expect(entries(fanout.round(changed, all(...peers), 10_000))).toBe(10 * 500);
  });
});
