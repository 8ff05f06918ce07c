/**
 * Leadership for work that exactly one node may do at a time (forwarding the event store to the
 * bus). A lease is held until released or lost (the holder's connection died).
 */
export interface Lease {
  /** Settles when the lease is lost without release(). */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface LeaseManager {
  /** The lease, or undefined when another node holds it. */
  tryAcquire(name: string): Promise<Lease | undefined>;
  close(): Promise<void>;
}
