import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSpeakerDebouncer } from './active-speaker';

describe('active speaker debouncing', () => {
  let commits: Array<string | null>;
  let debouncer: ReturnType<typeof createSpeakerDebouncer>;
  beforeEach(() => {
    vi.useFakeTimers();
    commits = [];
    debouncer = createSpeakerDebouncer({
      minIntervalMs: 1500,
      commit: (id) => commits.push(id),
      now: () => Date.now(),
    });
  });
  afterEach(() => {
    debouncer.close();
    vi.useRealTimers();
  });

  it('commits the first speaker at once', () => {
    debouncer.propose('ann');
    expect(commits).toEqual(['ann']);
    expect(debouncer.current).toBe('ann');
  });

  it('does not commit the same speaker twice', () => {
    debouncer.propose('ann');
    vi.advanceTimersByTime(5000);
    debouncer.propose('ann');
    expect(commits).toEqual(['ann']);
  });

  it('holds a change proposed too early until the interval is over', () => {
    debouncer.propose('ann');
    vi.advanceTimersByTime(500);
    debouncer.propose('bob');
    expect(commits).toEqual(['ann']);
    vi.advanceTimersByTime(999);
    expect(commits).toEqual(['ann']);
    vi.advanceTimersByTime(1);
    expect(commits).toEqual(['ann', 'bob']);
  });

  it('drops a blip: a change that reverts within the interval is never committed', () => {
    debouncer.propose('ann');
    vi.advanceTimersByTime(200);
    debouncer.propose('bob');
    vi.advanceTimersByTime(200);
    debouncer.propose('ann');
    vi.advanceTimersByTime(5000);
    expect(commits).toEqual(['ann']);
  });

  it('commits the latest candidate when several come within the interval', () => {
    debouncer.propose('ann');
    debouncer.propose('bob');
    debouncer.propose('carol');
    vi.advanceTimersByTime(1500);
    expect(commits).toEqual(['ann', 'carol']);
  });

  it('clears a speaker who left at once', () => {
    debouncer.propose('ann');
    debouncer.forget('ann');
    expect(commits).toEqual(['ann', null]);
    debouncer.forget('bob');
    expect(commits).toEqual(['ann', null]);
  });
});
