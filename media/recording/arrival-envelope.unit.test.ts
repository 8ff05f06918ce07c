import { describe, expect, it } from 'vitest';
import { ArrivalEnvelope } from './arrival-envelope';

/** A sender whose delay (capture → SFU) varies with load: `delayMs(i)` for the i-th packet. */
function send(
  envelope: ArrivalEnvelope,
  o: { count: number; stepTicks: number; clockRate: number; firstTs: number; captureMs0: number },
  delayMs: (i: number) => number,
  contentLagMs = 0,
) {
  for (let i = 0; i < o.count; i++) {
    const ts = (o.firstTs + i * o.stepTicks) % 2 ** 32;
    const capturedMs = o.captureMs0 + ((i * o.stepTicks) / o.clockRate) * 1000 + contentLagMs;
    envelope.add(ts, capturedMs + delayMs(i));
  }
}

describe('the earliest arrivals of a track', () => {
  it('given video whose encoder delay swings with load, keeps per second the frame that left soonest', () => {
    const envelope = new ArrivalEnvelope(90_000, 'video');
    // 30 fps for 10 s; delays 40..240 ms, but one frame a second leaves after 5 ms.
    send(
      envelope,
      { count: 300, stepTicks: 3000, clockRate: 90_000, firstTs: 2 ** 32 - 30_000, captureMs0: 10_000 },
      (i) => (i % 30 === 17 ? 5 : 40 + ((i * 37) % 200)),
    );
    const points = envelope.points();
    expect(points).toHaveLength(10);
    for (const p of points) expect(p.workerMs - p.mediaMs).toBeCloseTo(10_005, 6);
  });

  it('given audio, takes each packet at the end of its frame (it cannot leave before its last sample)', () => {
    const envelope = new ArrivalEnvelope(48_000, 'audio');
    // 20 ms Opus frames, each forwarded 2 ms after its last sample was captured.
    send(envelope, { count: 100, stepTicks: 960, clockRate: 48_000, firstTs: 7, captureMs0: 500 }, () => 22);
    const points = envelope.points();
    expect(points.length).toBeGreaterThanOrEqual(2);
    for (const p of points) expect(p.workerMs - p.mediaMs).toBeCloseTo(502, 6);
  });

  it('given a silence (DTX) gap, the gap is not taken for a frame length', () => {
    const envelope = new ArrivalEnvelope(48_000, 'audio');
    envelope.add(0, 100);
    envelope.add(960, 120);
    // 2 s of nothing, then the next frame.
    envelope.add(960 + 96_000, 2120);
    const last = envelope.points().at(-1)!;
    expect(last.mediaMs).toBeCloseTo(((960 + 96_000 + 960) / 48_000) * 1000, 6);
  });
});
