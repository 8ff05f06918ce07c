import { expect } from 'vitest';
import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import { derive, initialAnalyticsState, type DeriveOptions, type MeetingAnalyticsState } from './derive';
import type { RecordDraft } from './records';

/**
 * The state as derive receives it, frozen all the way down: derive must never change the caller's
 * state (the store's copy, a rolled-back batch's), and in strict mode a write to a frozen object
 * throws, so every spec below checks that too.
 */
function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFrozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** Second `s` of the spec's meeting, as an ISO timestamp. */
export const at = (s: number) => new Date(Date.UTC(2026, 2, 2, 9, 0, 0) + s * 1000).toISOString();

/**
 * Given meeting events (each at the second given, or one second apart), when one more event at a
 * second, then these records (drafts, before sequencing). Runs the pure derive stage only.
 */
export function given(...history: Array<MeetingEvent | [number, MeetingEvent]>) {
  const options: DeriveOptions = { chatContent: false };
  const fold = (opts: DeriveOptions) =>
    history.reduce<MeetingAnalyticsState>((state, item, i) => {
      const [second, event] = Array.isArray(item) ? item : [i, item];
      return derive(deepFrozen(state), event, at(second), opts).state;
    }, initialAnalyticsState());
  return {
    withChatContent() {
      options.chatContent = true;
      return this;
    },
    when(second: number, event: MeetingEvent) {
      const run = () => derive(deepFrozen(fold(options)), event, at(second), options);
      return {
        then(expected: Array<Pick<RecordDraft, 'type' | 'data'>>) {
          expect(run().drafts.map(({ type, data }) => ({ type, data }))).toEqual(expected);
        },
        thenState(check: (state: MeetingAnalyticsState) => void) {
          check(run().state);
        },
      };
    },
  };
}
