import { describe, expect, it } from 'vitest';
import { meetingIdFrom } from './meeting-link';

describe('meetingIdFrom', () => {
  const id = 'Qb3x_9-kT2mZpL0aVwY1cA';

  it('reads the id from a full link, a path or the bare code', () => {
    expect(meetingIdFrom(`https://confer.example/m/${id}`)).toBe(id);
    expect(meetingIdFrom(`http://localhost:3000/m/${id}/?utm=mail#top`)).toBe(id);
    expect(meetingIdFrom(`/m/${id}`)).toBe(id);
    expect(meetingIdFrom(`  ${id}  `)).toBe(id);
  });

  it('refuses what is not a meeting link or code', () => {
    expect(meetingIdFrom('')).toBeNull();
    expect(meetingIdFrom('abc')).toBeNull();
    expect(meetingIdFrom('https://confer.example/meetings')).toBeNull();
    expect(meetingIdFrom('hello world')).toBeNull();
    expect(meetingIdFrom(`https://confer.example/m/${id}/extra`)).toBeNull();
  });
});
