import type { ClientSpec, Samples } from './client';
import type { TransportReading } from './traffic';

/**
 * What the run and a subscriber thread (loadtest/subscriber.worker.ts) say to each other: each
 * request carries an id and is answered once, with its data or a coded error.
 */

/** A subscriber that does not decode, as the thread builds it (functions do not cross threads). */
export type SubscriberSpec = Omit<ClientSpec, 'role' | 'decodes' | 'checkTarget' | 'readsEveryFrame'> & {
  allowRemote: boolean;
};

export type ToSubscriberThread =
  | { id: number; op: 'join'; client: number; spec: SubscriberSpec }
  | { id: number; op: 'traffic' | 'chat' | 'leave' | 'close'; client: number }
  /** The thread's event loop utilisation since it started (0–1). */
  | { id: number; op: 'busy' }
  /** Everything the thread's clients measured and every error they counted. */
  | { id: number; op: 'collect' };

export type FromSubscriberThread =
  | { type: 'ready' }
  | { type: 'answer'; id: number; ok: true; data: unknown }
  | { type: 'answer'; id: number; ok: false; code: string; message: string };

export type TrafficAnswer = TransportReading & { seconds: number; receivedMedia: boolean };

export interface Collected {
  samples: Samples;
  errors: { code: string; count: number; example: string }[];
}
