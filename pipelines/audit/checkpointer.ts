import { randomUUID } from 'node:crypto';
import { CHECKPOINT_EVENT_TYPE, SignedCheckpointSchema } from '../../domain/audit/checkpoint';
import type { Clock } from '../../domain/ports/clock';
import type { EventStore } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import { coalescedSaves } from '../shared/coalesced-saves';
import type { AuditSigner } from './checkpoint-signer';

/**
 * Where the checkpointer remembers, per meeting, the last revision it signed (survives restarts).
 * A record lost in a crash is harmless: events replayed to this group after a restart bring
 * the checkpoints that signed them along, in order, so nothing is signed twice.
 */
export interface SignedUpToPort {
  load(meetingId: string): Promise<number>;
  /** Records several meetings at once (one write transaction). */
  saveAll(revisions: ReadonlyMap<string, number>): Promise<void>;
}

export interface CheckpointerLogger {
  warn(details: object, message: string): void;
}

export interface CheckpointerOptions {
  store: EventStore;
  signer: AuditSigner;
  clock: Clock;
  signedUpTo: SignedUpToPort;
  /** A running meeting's head is signed at most this often (and at its end, at once). */
  intervalMs: number;
  logger: CheckpointerLogger;
  /** Told of each checkpoint appended (auditors' metrics: signing is happening). */
  onSigned?(reason: 'interval' | 'end'): void;
}

interface Tracked {
  streamId: string;
  head: number;
  signed: number;
  lastSignedMs: number;
  ended: boolean;
  /** The signing under way, if any. */
  signing?: Promise<void> | undefined;
}

/**
 * Signs each meeting's chain head at its end and periodically while it runs, and appends the
 * signed checkpoint to the meeting's own stream (see domain/audit/checkpoint.ts for why there).
 * A consumer of the bus with its own group; its own checkpoints come back on the bus and are
 * only noted, never signed again. What it signs is re-read from the store, not taken from the bus.
 */
export function createAuditCheckpointer(options: CheckpointerOptions) {
  const meetings = new Map<string, Tracked>();
  let timer: NodeJS.Timeout | undefined;
  /**
   * The records are written beside the signings, never in their turn: on the embedded defaults
   * the write waits for the read models' file lock, which their thread (niced, and starved under
   * load) may hold for a long time; awaited in turn, one such wait held this bus group past the
   * forwarder's lag bound, and with it every broadcast (~0.5 s at 4,000 chats/s). Records asked
   * for while one write runs go in one next write.
   */
  const record = coalescedSaves(
    (revisions: Map<string, number>) => options.signedUpTo.saveAll(revisions),
    (queued, next) => {
      for (const [meetingId, revision] of next) queued.set(meetingId, revision);
      return queued;
    },
  );
  const recording = new Set<Promise<void>>();
  function recordSigned(meetingId: string, revision: number): void {
    const saved = record(new Map([[meetingId, revision]])).catch((error: unknown) =>
      options.logger.warn({ err: error, meetingId }, 'could not record a signed checkpoint; harmless'),
    );
    recording.add(saved);
    void saved.finally(() => recording.delete(saved));
  }

  async function track(event: StoredEvent): Promise<Tracked> {
    let entry = meetings.get(event.meetingId);
    if (!entry) {
      const signed = await options.signedUpTo.load(event.meetingId);
      entry = {
        streamId: event.streamId,
        head: -1,
        signed,
        lastSignedMs: options.clock.now().getTime(),
        ended: false,
      };
      meetings.set(event.meetingId, entry);
    }
    return entry;
  }

  async function sign(meetingId: string, entry: Tracked): Promise<void> {
    const [head] = await options.store.readStream(entry.streamId, { fromRevision: entry.head, maxCount: 1 });
    if (!head || head.type === CHECKPOINT_EVENT_TYPE) return;
    // Why, as of now: the meeting may end while this signing waits for its append.
    const reason = entry.ended ? 'end' : 'interval';
    const signed = options.signer.sign({
      v: 1,
      meetingId,
      streamId: entry.streamId,
      revision: head.streamRevision,
      hash: head.hash,
      signedAt: options.clock.now().toISOString(),
    });
    const eventId = randomUUID();
    await options.store.append(
      entry.streamId,
      [
        {
          eventId,
          type: CHECKPOINT_EVENT_TYPE,
          schemaVersion: 1,
          data: signed,
          metadata: {
            meetingId,
            occurredAt: signed.checkpoint.signedAt,
            actor: { type: 'system', reason: 'audit-checkpoint' },
            correlationId: eventId,
            causationId: head.eventId,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    entry.signed = head.streamRevision;
    entry.lastSignedMs = options.clock.now().getTime();
    recordSigned(meetingId, head.streamRevision);
    options.onSigned?.(reason);
  }

  /**
   * One signing of a meeting at a time: a timer round and the meeting's end may both want it,
   * and the second waits for the first, then signs only what came since.
   */
  function signOnce(meetingId: string, entry: Tracked): Promise<void> {
    entry.signing ??= sign(meetingId, entry)
      .catch((error: unknown) =>
        options.logger.warn({ err: error, meetingId }, 'could not sign an audit checkpoint; will retry'),
      )
      .finally(() => (entry.signing = undefined));
    return entry.signing;
  }

  async function signDue(
    force: (entry: Tracked) => boolean,
    among: Iterable<[string, Tracked]> = meetings,
  ): Promise<void> {
    for (const [meetingId, entry] of among) {
      await entry.signing;
      if (entry.head <= entry.signed) {
        if (entry.ended) meetings.delete(meetingId); // nothing more will come: forget it
        continue;
      }
      if (!force(entry) && options.clock.now().getTime() - entry.lastSignedMs < options.intervalMs) continue;
      await signOnce(meetingId, entry);
    }
  }

  /**
   * The timer's round runs beside the bus's batches, never ahead of them: a batch only notes
   * heads (and signs the meetings it ended), so it never waits for a round's signing. Each
   * signing waits for its append to be durable; on the in-process bus the forwarder holds every
   * broadcast once its slowest group is 250 ms behind, so a batch queued behind even one slow
   * signing held the chat (seconds when a round over 1,000 running meetings was one task, up to
   * ~0.9 s at 4,000 chats/s while a batch still waited for the signing in hand).
   */
  let round: Promise<void> | undefined;
  let stopping = false;
  /** Ends the pause between two signings of a round at once (on stop). */
  let endPause: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      endPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  /**
   * A round's signings are spread over `spreadMs` (the timer's period): meetings that began
   * together (a company's 9 o'clock, the chat bench's 1,000) are due together, and signed back to
   * back they came as a burst of appends, each a lost race for the meeting's next command (its
   * acknowledgements p99 ~0.4 s at 4,000 chats/s). Meetings with nothing new are skipped unpaced.
   */
  async function signRound(spreadMs: number): Promise<void> {
    const now = options.clock.now().getTime();
    const due = [...meetings].filter(
      ([, entry]) => entry.head > entry.signed && now - entry.lastSignedMs >= options.intervalMs,
    );
    for (const [meetingId, entry] of meetings)
      if (entry.ended && entry.head <= entry.signed) meetings.delete(meetingId);
    const spacing = due.length > 1 ? spreadMs / due.length : 0;
    for (const [i, item] of due.entries()) {
      if (stopping) return;
      if (i > 0 && spacing > 0) await pause(spacing);
      if (stopping) return;
      await signDue(() => false, [item]);
    }
  }
  function startRound(spreadMs: number): Promise<void> {
    // Cleared from a callback, never from inside the round: a round with nothing to sign ends
    // before `round` is even assigned, and would then stay "under way" for good.
    round ??= signRound(spreadMs).finally(() => (round = undefined));
    return round;
  }

  /** The bus's batches, one after another (a new meeting's record is loaded once). */
  let handling: Promise<void> = Promise.resolve();
  async function handleBatch(events: readonly StoredEvent[]): Promise<void> {
    // Only the meetings this batch ended are signed now; the timer looks at all the others
    // (a scan of every meeting per batch cost the event loop more than the signing).
    const ending = new Map<string, Tracked>();
    for (const event of events) {
      if (!event.streamId.startsWith('meeting-')) continue;
      // Known meetings without a promise each: this runs for every event of every batch.
      const entry = meetings.get(event.meetingId) ?? (await track(event));
      if (event.type === CHECKPOINT_EVENT_TYPE) {
        const parsed = SignedCheckpointSchema.safeParse(event.data);
        if (parsed.success) entry.signed = Math.max(entry.signed, parsed.data.checkpoint.revision);
        continue;
      }
      entry.head = Math.max(entry.head, event.streamRevision);
      if (event.type === 'MeetingEnded') {
        entry.ended = true;
        ending.set(event.meetingId, entry);
      }
    }
    // Awaited: a batch counts as handled once the meetings it ended are signed (at-least-once:
    // after a crash the end is replayed and signed then).
    if (ending.size > 0) await signDue((entry) => entry.ended, ending);
  }

  return {
    /** The bus handler. */
    handle(events: readonly StoredEvent[]): Promise<void> {
      const next = handling.then(() => handleBatch(events));
      handling = next.catch(() => undefined);
      return next;
    },
    /**
     * Signs every running meeting whose head has waited `intervalMs` unsigned, the signings spread
     * over `spreadMs` (the timer calls it with most of its period).
     */
    tick(spreadMs = 0): Promise<void> {
      return startRound(spreadMs);
    },
    start(): void {
      const periodMs = Math.max(250, options.intervalMs / 4);
      // Spread over most of the period, so that the next round rarely finds this one under way.
      timer = setInterval(() => void startRound(periodMs * 0.8), periodMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      // A round under way ends after the signing in hand; what it had left waits for the next run.
      stopping = true;
      endPause?.();
      await round;
      await handling;
      while (recording.size > 0) await Promise.allSettled([...recording]);
    },
  };
}
