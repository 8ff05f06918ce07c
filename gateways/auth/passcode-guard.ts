import { ConferError } from '../../domain/shared/errors';

/**
 * Slows passcode guessing to a crawl, per meeting and per client (the address fastify trusts:
 * forwarded headers count only from TRUSTED_PROXIES). The numbers and why:
 * - a client gets FREE_PER_CLIENT wrong tries, then waits 30 s, doubling each further failure up
 *   to an hour: about 30 tries a day per address;
 * - a meeting takes FREE_PER_MEETING wrong tries from everyone together, then each further one
 *   waits 2 s, doubling up to 5 minutes: under 300 tries a day however many addresses guess;
 * - so an 8-character passcode (the minimum) resists: even digits only (10^8) give a guesser
 *   one chance in ~300,000 per day. Counters fade after an hour without failures.
 * The guard is per node (an attacker spreading over N nodes gets N× the budget, still negligible
 * against 10^8); the lockouts themselves are recorded as events for the host and auditors.
 */
const FREE_PER_CLIENT = 5;
const FREE_PER_MEETING = 20;
const CLIENT_BASE_MS = 30_000;
const CLIENT_MAX_MS = 3_600_000;
const MEETING_BASE_MS = 2_000;
const MEETING_MAX_MS = 300_000;
const FORGET_AFTER_MS = 3_600_000;
const MAX_ENTRIES = 100_000;

interface Counter {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export interface Lockout {
  scope: 'client' | 'meeting';
  failures: number;
  lockedForMs: number;
}

export interface PasscodeGuard {
  /** Throws CONFER_RATE_LIMITED (naming the wait) while the client or the meeting is locked. */
  check(meetingId: string, client: string): void;
  /** Counts a wrong passcode; returns the lockout it starts, if any (to record as an event). */
  failed(meetingId: string, client: string): Lockout | undefined;
  /** A right passcode clears the client's own count (not the meeting's). */
  succeeded(meetingId: string, client: string): void;
}

export function createPasscodeGuard(now: () => number = Date.now): PasscodeGuard {
  const clients = new Map<string, Counter>();
  const meetings = new Map<string, Counter>();

  const fresh = (map: Map<string, Counter>, key: string): Counter => {
    const t = now();
    let counter = map.get(key);
    if (counter && t - counter.lastFailure > FORGET_AFTER_MS && counter.lockedUntil < t) {
      map.delete(key);
      counter = undefined;
    }
    if (!counter) {
      if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value!);
      counter = { failures: 0, lockedUntil: 0, lastFailure: t };
      map.set(key, counter);
    }
    return counter;
  };

  const lockFor = (failures: number, free: number, base: number, max: number) =>
    failures < free ? 0 : Math.min(max, base * 2 ** (failures - free));

  return {
    check(meetingId, client) {
      const t = now();
      const waits = [clients.get(`${meetingId}\u0000${client}`), meetings.get(meetingId)]
        .map((c) => (c ? c.lockedUntil - t : 0))
        .filter((ms) => ms > 0);
      if (waits.length > 0) {
        const seconds = Math.ceil(Math.max(...waits) / 1000);
        throw new ConferError(
          'CONFER_RATE_LIMITED',
          `Too many wrong passcodes: try again in ${seconds} s`,
          'passcode',
        );
      }
    },
    failed(meetingId, client) {
      const t = now();
      const c = fresh(clients, `${meetingId}\u0000${client}`);
      const m = fresh(meetings, meetingId);
      c.failures++;
      m.failures++;
      c.lastFailure = m.lastFailure = t;
      const clientMs = lockFor(c.failures, FREE_PER_CLIENT, CLIENT_BASE_MS, CLIENT_MAX_MS);
      const meetingMs = lockFor(m.failures, FREE_PER_MEETING, MEETING_BASE_MS, MEETING_MAX_MS);
      if (clientMs > 0) c.lockedUntil = t + clientMs;
      if (meetingMs > 0) m.lockedUntil = t + meetingMs;
      // Record the first lockout of each kind and every tenth failure after it: visible, bounded.
      if (meetingMs > 0 && (m.failures === FREE_PER_MEETING || m.failures % 10 === 0))
        return { scope: 'meeting', failures: m.failures, lockedForMs: meetingMs };
      if (clientMs > 0 && c.failures === FREE_PER_CLIENT)
        return { scope: 'client', failures: c.failures, lockedForMs: clientMs };
      return undefined;
    },
    succeeded(meetingId, client) {
      clients.delete(`${meetingId}\u0000${client}`);
    },
  };
}
