import { Worker } from 'node:worker_threads';
import type { ClientSpec, LoadParticipant, Samples } from './client';
import { LoadTestError, type ErrorTally } from './errors';
import { emptyTraffic } from './traffic';
import type {
  Collected,
  FromSubscriberThread,
  SubscriberSpec,
  ToSubscriberThread,
  TrafficAnswer,
} from './subscriber-thread-messages';

type Request = ToSubscriberThread extends infer M
  ? M extends { id: number }
    ? Omit<M, 'id'>
    : never
  : never;

/** Longer than any one request of a client (10 s each): a join makes several. */
const THREAD_REQUEST_TIMEOUT_MS = 60_000;

/** One subscriber thread and its pending requests; a thread that dies fails them all, by code. */
class SubscriberThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve(data: unknown): void; reject(error: unknown): void }
  >();
  private nextId = 1;
  private failure: LoadTestError | undefined;
  readonly ready: Promise<void>;

  constructor() {
    this.worker = new Worker(new URL('./subscriber.worker.mjs', import.meta.url));
    // A run that throws still ends the process; a finished run stops its threads itself.
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: FromSubscriberThread) => {
        if (m.type === 'ready') return resolve();
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (m.ok) w?.resolve(m.data);
        else w?.reject(new LoadTestError(m.code, m.message));
      });
    });
    const fail = (message: string) => {
      this.failure ??= new LoadTestError('TESTER_THREAD_FAILED', message);
      for (const w of this.waiting.values()) w.reject(this.failure);
      this.waiting.clear();
    };
    this.worker.on('error', (error) => fail(`a subscriber thread failed: ${error.message}`));
    this.worker.on('exit', () => fail('a subscriber thread stopped'));
  }

  /** Answered, refused by code, or TIMEOUT: a stuck thread never hangs the run. */
  request<T>(message: Request): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new LoadTestError('TIMEOUT', `subscriber thread: no answer to ${message.op}`));
      }, THREAD_REQUEST_TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (data) => {
          clearTimeout(timer);
          resolve(data as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ ...message, id } as ToSubscriberThread);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/**
 * A subscriber that runs on a subscriber thread, driven like one on this thread: join throws (the
 * run counts it), everything else counts its failure here and carries on, as LoadClient does.
 */
class ThreadedSubscriber implements LoadParticipant {
  joined = false;
  participantId = '';
  receivedMedia = false;

  constructor(
    private readonly thread: SubscriberThread,
    private readonly id: number,
    private readonly spec: SubscriberSpec,
    private readonly errors: ErrorTally,
  ) {}

  async join(): Promise<void> {
    const { participantId } = await this.thread.request<{ participantId: string }>({
      op: 'join',
      client: this.id,
      spec: this.spec,
    });
    this.participantId = participantId;
    this.joined = true;
  }

  async traffic(): Promise<TrafficAnswer> {
    try {
      const answer = await this.thread.request<TrafficAnswer>({ op: 'traffic', client: this.id });
      this.receivedMedia = answer.receivedMedia;
      return answer;
    } catch (error) {
      this.errors.add(error, `${this.spec.name} stats`);
      return { traffic: emptyTraffic(), srtpCipher: null, seconds: 0, receivedMedia: this.receivedMedia };
    }
  }

  sendChat(): Promise<void> {
    return this.thread
      .request<void>({ op: 'chat', client: this.id })
      .catch((error: unknown) => this.errors.add(error, `${this.spec.name} chat`));
  }

  leave(): Promise<void> {
    return this.thread.request<void>({ op: 'leave', client: this.id }).catch(() => undefined);
  }

  close(): void {
    this.thread.request({ op: 'close', client: this.id }).catch(() => undefined);
  }
}

/** What a subscriber thread needs to build the client (functions do not cross threads). */
export const portableSpec = (
  { baseUrl, meetingId, name, video, simulcast, resolution }: ClientSpec,
  allowRemote: boolean,
): SubscriberSpec => ({ baseUrl, meetingId, name, video, simulcast, resolution, allowRemote });

/**
 * `--threads N`: subscribers that do not decode, spread over N threads beside the main one (in
 * turn: main, thread 1, …, thread N), so that one tester uses N + 1 cores for them. What their
 * clients measured and the errors they counted are collected at the end.
 */
export class SubscriberThreads {
  private next = 0;
  private clients = 0;

  private constructor(
    private readonly threads: SubscriberThread[],
    private readonly errors: ErrorTally,
  ) {}

  /** `errors`: where the threads' clients count what fails outside a join. */
  static async start(count: number, errors: ErrorTally): Promise<SubscriberThreads> {
    const threads = Array.from({ length: count }, () => new SubscriberThread());
    await Promise.all(threads.map((t) => t.ready));
    return new SubscriberThreads(threads, errors);
  }

  /** The next subscriber's place: a thread's client, or undefined for the main thread. */
  place(spec: SubscriberSpec): LoadParticipant | undefined {
    const slot = this.next++ % (this.threads.length + 1);
    return slot === 0
      ? undefined
      : new ThreadedSubscriber(this.threads[slot - 1]!, this.clients++, spec, this.errors);
  }

  /** Each thread's event loop utilisation (0–1) since it started. */
  busy(): Promise<number[]> {
    return Promise.all(this.threads.map((t) => t.request<number>({ op: 'busy' }).catch(() => 0)));
  }

  /** Adds what every thread's clients measured, and the errors they counted, to the run's. */
  async collect(samples: Samples): Promise<void> {
    const errors = this.errors;
    for (const thread of this.threads) {
      const got = await thread.request<Collected>({ op: 'collect' }).catch((error: unknown) => {
        errors.add(error, 'collecting a subscriber thread');
        return undefined;
      });
      if (!got) continue;
      // One by one: a spread of a long run's chat latencies would overflow the call's arguments.
      for (const key of ['joinMs', 'firstMediaMs', 'videoLatencyMs', 'chatLatencyMs', 'chatAckMs'] as const)
        for (const value of got.samples[key]) samples[key].push(value);
      samples.unreadableFrames.count += got.samples.unreadableFrames.count;
      errors.addEntries(got.errors);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.stop()));
  }
}
