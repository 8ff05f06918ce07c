import { describe, expect, it } from 'vitest';
import { offsetsAgainstSender } from './local-av-phase';

describe("a recording's flashes against the sender's", () => {
  // Fresh-clone CI, 2026-12-02: the sender's page and the recording, as they were read. The beeps
  // repeat every 2 s; the recording's first beep, cut at its track's start, was left out.
  const sender = {
    flashesMs: [2594, 4627, 6667, 8693, 10733, 12761, 14793, 16863, 18956, 20970, 23069, 25130],
    beepsMs: Array.from({ length: 12 }, (_, i) => 2563 + 2000 * i),
    frames: 700,
    timeOrigin: 1_000_000,
  };
  const recorded = {
    flashes: [2.6667, 4.7, 6.7333, 8.7667, 10.8, 12.8333, 14.9, 17.0333, 19, 21.1],
    beeps: Array.from({ length: 10 }, (_, i) => 2.61 + 2 * i),
  };

  it('puts the sender on the recording by the beep nearest the wall clock, not one a period off', () => {
    // The wall clock says the page's 0 is 40 ms after the recording's: a beep 47 ms later in the
    // recording is the same beep; the one 1,953 ms earlier pairs as many beeps but is the wrong one
    // (taking it made the flashes drift by 15 ms each, −14 … +59 ms).
    const { shiftMs } = offsetsAgainstSender(sender, recorded, 1_000_000 - 40);
    expect(shiftMs).toBeCloseTo(47, 0);
  });

  it('keeps the right period with the wall clock wrong by up to about 900 ms either way', () => {
    for (const wallError of [-900, -600, 600, 900]) {
      const { shiftMs } = offsetsAgainstSender(sender, recorded, 1_000_000 - 40 - wallError);
      expect(shiftMs, `wall clock off by ${wallError} ms`).toBeCloseTo(47, 0);
    }
  });
});
