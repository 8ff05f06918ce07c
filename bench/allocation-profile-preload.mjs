// Preload (`--import`) for bench/profile-allocations.ts: samples what the main thread allocates,
// between two SIGUSR2 signals (the first starts, the second stops and writes the profile to
// $ALLOCATION_PROFILE_OUT), so that the joins before a chat load and the goodbyes after it stay
// out. $ALLOCATION_PROFILE_MODE: `all` counts every object allocated; `survivors` leaves out what
// the young generation's collections freed, which is what a scavenge copied and promoted, or what
// V8 allocated in the old generation to begin with (pretenured allocation sites); `live` counts
// only what is still reachable when sampling stops (what the load left in the heap).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const out = process.env.ALLOCATION_PROFILE_OUT ?? '/tmp/allocations.heapprofile';
  const mode = process.env.ALLOCATION_PROFILE_MODE ?? 'all';
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  let sampling = false;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      sampling = true;
      session.post('HeapProfiler.startSampling', {
        // One sample every 4 KiB on average: ~10,000 samples a second under a chat load, cheap
        // enough not to change what it measures much.
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: mode !== 'live',
        includeObjectsCollectedByMinorGC: mode === 'all',
      });
      return;
    }
    sampling = false;
    const stop = () =>
      session.post('HeapProfiler.stopSampling', (error, result) => {
        writeFileSync(out, JSON.stringify(error ? { error: String(error) } : result.profile));
      });
    // `live` keeps only what is still reachable: a full collection first frees the garbage that
    // no major GC has reached yet.
    if (mode === 'live') session.post('HeapProfiler.collectGarbage', stop);
    else stop();
  });
}
