import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../../domain/shared/envelope';
import { RecentEvents } from './recent-events';

const at = (globalPosition: number) => ({ globalPosition }) as StoredEvent;
const positions = (events: StoredEvent[] | undefined) => events?.map((e) => e.globalPosition);

describe('RecentEvents', () => {
  it('answers reads within what it holds, [] past its newest, undefined before it', () => {
    const recent = new RecentEvents(100);
    expect(recent.read(0, 10)).toBeUndefined();
    recent.add([at(1), at(2), at(3), at(4)]);
    expect(positions(recent.read(0, 10))).toEqual([1, 2, 3, 4]);
    expect(positions(recent.read(2, 1))).toEqual([3]);
    expect(recent.read(4, 10)).toEqual([]);
  });

  it('after a release, the released positions are no longer answered but its newest still is', () => {
    const recent = new RecentEvents(100);
    recent.add([at(1), at(2), at(3), at(4)]);
    recent.release(2);
    expect(recent.read(1, 10)).toBeUndefined();
    expect(positions(recent.read(2, 10))).toEqual([3, 4]);
    recent.release(4);
    // Everything handled: a reader at the head is told nothing newer is held (not "ask the database").
    expect(recent.read(4, 10)).toEqual([]);
    expect(recent.read(3, 10)).toBeUndefined();
    recent.add([at(5)]);
    expect(positions(recent.read(4, 10))).toEqual([5]);
  });

  it('empties on a gap in positions (another process wrote between) and bounds what it keeps', () => {
    const recent = new RecentEvents(2);
    recent.add([at(1), at(2)]);
    recent.add([at(7)]);
    expect(recent.read(2, 10)).toBeUndefined();
    expect(positions(recent.read(6, 10))).toEqual([7]);
    recent.add([at(8), at(9), at(10), at(11)]);
    expect(positions(recent.read(9, 10))).toEqual([10, 11]);
    expect(recent.read(8, 10)).toBeUndefined();
  });
});
