import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { emptySamples, LoadClient } from './client';
import { codeOf, ErrorTally } from './errors';
import { assertTargetAllowed } from './options';
import type {
  Collected,
  FromSubscriberThread,
  ToSubscriberThread,
  TrafficAnswer,
} from './subscriber-thread-messages';

/**
 * A subscriber thread: subscribers that receive without decoding (werift, JavaScript on this
 * thread's event loop), so that one tester uses more than one core. Signaling, SRTP and RTCP of
 * these clients all run here; the run drives them by messages (subscriber-threads.ts). The clock
 * is the process's (time origin + now), the same on every thread, so chat sent from one thread
 * and received on another is timed right.
 */
const port = parentPort!;
const now = () => performance.timeOrigin + performance.now();
const samples = emptySamples();
const errors = new ErrorTally();
const clients = new Map<number, LoadClient>();
const started = performance.eventLoopUtilization();

function client(id: number): LoadClient {
  const found = clients.get(id);
  if (!found) throw new Error(`no client ${id} on this thread`);
  return found;
}

async function handle(m: ToSubscriberThread): Promise<unknown> {
  switch (m.op) {
    case 'join': {
      const { allowRemote, ...spec } = m.spec;
      const c = new LoadClient(
        {
          ...spec,
          role: 'subscriber',
          decodes: false,
          readsEveryFrame: false,
          checkTarget: (origin) => assertTargetAllowed(origin, allowRemote, 'webSocketUrl'),
        },
        null,
        samples,
        errors,
        now,
      );
      clients.set(m.client, c);
      await c.join();
      return { participantId: c.participantId };
    }
    case 'traffic': {
      const c = client(m.client);
      return { ...(await c.traffic()), receivedMedia: c.receivedMedia } satisfies TrafficAnswer;
    }
    case 'chat':
      return client(m.client).sendChat();
    case 'leave':
      return client(m.client).leave();
    case 'close':
      return client(m.client).close();
    case 'busy':
      return performance.eventLoopUtilization(started).utilization;
    case 'collect':
      return { samples, errors: errors.entries() } satisfies Collected;
  }
}

port.on('message', (m: ToSubscriberThread) => {
  handle(m).then(
    (data) => port.postMessage({ type: 'answer', id: m.id, ok: true, data } satisfies FromSubscriberThread),
    (error: unknown) =>
      port.postMessage({
        type: 'answer',
        id: m.id,
        ok: false,
        code: codeOf(error),
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromSubscriberThread),
  );
});
port.postMessage({ type: 'ready' } satisfies FromSubscriberThread);
