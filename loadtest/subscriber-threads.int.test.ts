import { describe, expect, it } from 'vitest';
import { freePort } from '../test/support/free-port';
import { emptySamples } from './client';
import { ErrorTally, LoadTestError } from './errors';
import { SubscriberThreads } from './subscriber-threads';

describe('subscriber threads', () => {
  it("carry a client's coded failure back, and count a stopped thread's by code instead of hanging", async () => {
    const errors = new ErrorTally();
    const threads = await SubscriberThreads.start(1, errors);
    const spec = {
      baseUrl: `http://127.0.0.1:${await freePort()}`, // nobody listens
      meetingId: 'm',
      name: 'sub',
      video: true,
      simulcast: true,
      resolution: { width: 320, height: 180 },
      allowRemote: false,
    };
    // Slot 0 is the main thread's; the next one lands on the thread
    expect(threads.place(spec)).toBeUndefined();
    const remote = threads.place(spec)!;
    const refused = await remote.join().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LoadTestError);
    expect((refused as LoadTestError).code).toBe('CONNECTION_REFUSED');
    expect(remote.joined).toBe(false);

    const busy = await threads.busy();
    expect(busy).toHaveLength(1);
    expect(busy[0]).toBeGreaterThan(0);
    expect(busy[0]).toBeLessThanOrEqual(1);

    await threads.stop();
    // The thread is gone: stats and chat are counted as failures by code, never thrown or hung
    expect((await remote.traffic()).traffic.video.packetsReceived).toBe(0);
    await remote.sendChat();
    expect(errors.entries()).toEqual([expect.objectContaining({ code: 'TESTER_THREAD_FAILED', count: 2 })]);
    const samples = emptySamples();
    await threads.collect(samples);
    expect(errors.entries()[0]).toMatchObject({ code: 'TESTER_THREAD_FAILED', count: 3 });
  }, 30_000);
});
