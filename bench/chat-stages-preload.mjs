// Preload (`--import`) for bench/chat-stages.ts, in the Confer server's process: notes, on the
// monotonic clock the tester reads too (CLOCK_MONOTONIC, one for every process of the machine),
// when each chat message was read by the gateway, answered, and broadcast, and when the event
// loop collected garbage. On SIGUSR2 it writes what it noted to $CHAT_STAGES_OUT and starts
// again, so that each round of the tester is written apart.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

if (isMainThread && process.env.CHAT_STAGES_OUT) {
  const out = process.env.CHAT_STAGES_OUT;
  // Keyed by the chat's text, which a client chooses: tables without a prototype, so that a
  // message such as "__proto__" or "constructor" is noted like any other.
  const fresh = () => ({
    received: Object.create(null),
    answered: Object.create(null),
    broadcast: Object.create(null),
  });
  let stages = fresh();
  let gcs = [];
  const note = (stage, key) => {
    if (typeof key === 'string' && stages[stage][key] === undefined) stages[stage][key] = nowMs();
  };
  subscribe('confer:signaling:message-received', (m) => {
    if (m.type === 'chat') note('received', m.payload?.message);
  });
  subscribe('confer:signaling:message-answered', (m) => {
    if (m.type === 'chat') note('answered', m.payload?.message);
  });
  subscribe('confer:signaling:event-broadcast', (e) => {
    if (e.type === 'ChatMessageSent') note('broadcast', e.data?.content);
  });
  // A GC entry's start is on performance.now()'s clock: moved onto the monotonic one.
  const offset = nowMs() - performance.now();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({ at: e.startTime + offset, ms: e.duration, kind: e.detail?.kind });
  }).observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    writeFileSync(out, JSON.stringify({ stages, gcs }));
    stages = fresh();
    gcs = [];
  });
}
