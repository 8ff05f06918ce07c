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
  let running: Promise<void> = Promise.resolve();
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
    options.onSigned?.(entry.ended ? 'end' : 'interval');
  }

  async function signDue(
    force: (entry: Tracked) => boolean,
    among: Iterable<[string, Tracked]> = meetings,
  ): Promise<void> {
    const now = options.clock.now().getTime();
    for (const [meetingId, entry] of among) {
      if (entry.head <= entry.signed) {
        if (entry.ended) meetings.delete(meetingId); // nothing more will come: forget it
        continue;
      }
      if (!force(entry) && now - entry.lastSignedMs < options.intervalMs) continue;
      try {
        await sign(meetingId, entry);
      } catch (error) {
        options.logger.warn({ err: error, meetingId }, 'could not sign an audit checkpoint; will retry');
      }
    }
  }

  const serial = (work: () => Promise<void>) => (running = running.then(work, work));

  /**
   * The timer's round: each tracked meeting gets a turn of the queue of its own, the next one
   * queued only once the last is done, so a bus batch arriving meanwhile waits for one signing at
   * most. As one queued task, a round over 1,000 running meetings (an append and a store write
   * each) held this group's batches for seconds, and the in-process bus held every broadcast
   * behind the slowest group (the forwarder's lag bound): chat stalled for seconds while its
   * acknowledgements came on time.
   */
  let round: Promise<void> | undefined;
  let stopping = false;
  async function signInTurns(): Promise<void> {
    for (const item of [...meetings]) {
      if (stopping) return;
      await serial(() => signDue(() => false, [item]));
    }
  }
  function signRoundInTurns(): Promise<void> {
    // Cleared from a callback, never from inside the round: a round with nothing to sign ends
    // before `round` is even assigned, and would then stay "under way" for good.
    round ??= signInTurns().finally(() => (round = undefined));
    return round;
  }

  return {
    /** The bus handler. */
    handle(events: readonly StoredEvent[]): Promise<void> {
      return serial(async () => {
        // Only the meetings this batch ended are signed now; the timer looks at all the others
        // (a scan of every meeting per batch cost the event loop more than the signing).
        const ending = new Map<string, Tracked>();
        for (const event of events) {
          if (!event.streamId.startsWith('meeting-')) continue;
          const entry = await track(event);
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
        if (ending.size > 0) await signDue((entry) => entry.ended, ending);
      });
    },
    /** Signs every running meeting whose head has waited `intervalMs` unsigned (the timer calls it). */
    tick(): Promise<void> {
      return signRoundInTurns();
    },
    start(): void {
      timer = setInterval(() => void signRoundInTurns(), Math.max(250, options.intervalMs / 4));
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      // A round under way ends after the signing in hand; what it had left waits for the next run.
      stopping = true;
      await round;
      await running;
      while (recording.size > 0) await Promise.allSettled([...recording]);
    },
  };
}
