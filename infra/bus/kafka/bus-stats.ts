import { PoisonReasons, type PoisonReason } from './poison';

/** Counters since the bus started, for a metrics exporter to read (e.g. prom-client collect()). */
export interface KafkaBusStats {
  /** Events acknowledged by Kafka (a re-published batch counts again). */
  published: number;
  /** Batches whose publish rejected. */
  publishFailures: number;
  /** Events handed to handlers that resolved, summed over groups. */
  delivered: number;
  /** Handler calls that threw and were retried. */
  handlerRetries: number;
  /** Events parked because their handler kept failing. */
  handlerGaveUp: number;
  /** Poison messages parked, by reason. */
  poison: Record<PoisonReason, number>;
  /** Everything written to the dead-letter topic. */
  parked: number;
}

export function createBusStats(): { counters: KafkaBusStats; snapshot(): KafkaBusStats } {
  const counters: KafkaBusStats = {
    published: 0,
    publishFailures: 0,
    delivered: 0,
    handlerRetries: 0,
    handlerGaveUp: 0,
    poison: Object.fromEntries(PoisonReasons.map((r) => [r, 0])) as Record<PoisonReason, number>,
    parked: 0,
  };
  return { counters, snapshot: () => ({ ...counters, poison: { ...counters.poison } }) };
}
