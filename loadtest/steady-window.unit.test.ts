import { describe, expect, it } from 'vitest';
import type { LoadParticipant } from './client';
import { packetsInWindow } from './steady-window';
import { emptyTraffic, type TransportReading } from './traffic';

const participant = (name: string) => ({ participantId: name }) as unknown as LoadParticipant;
const reading = (audio: number, video: number): TransportReading => {
  const traffic = emptyTraffic();
  traffic.audio.packetsReceived = audio;
  traffic.video.packetsReceived = video;
  return { traffic, srtpCipher: null };
};

describe('the steady window', () => {
  it('counts what each subscriber received after it opened, and nothing without a window', () => {
    const [a, b, late] = [participant('a'), participant('b'), participant('late')];
    const start = new Map([
      [a, 100],
      [b, 250],
    ]);
    const readings = new Map([
      [a, reading(40, 160)], // 200 in all: 100 in the window
      [b, reading(50, 300)], // 350: 100 in the window
      [late, reading(10, 10)], // joined after the window opened: not in it
    ]);
    expect(packetsInWindow(start, readings)).toBe(200);
    // A subscriber whose final reading is missing (it failed) adds nothing
    readings.delete(b);
    expect(packetsInWindow(start, readings)).toBe(100);
    expect(packetsInWindow(null, readings)).toBeNull();
  });
});
