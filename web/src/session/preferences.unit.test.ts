import { describe, expect, it } from 'vitest';
import { DEFAULT_MEDIA, parseMediaPreferences } from './preferences';

describe('remembered devices and effects (localStorage is a boundary: anything may be there)', () => {
  it('reads back what was stored', () => {
    const stored = {
      cameraId: 'cam-1',
      microphoneId: 'default',
      speakerId: null,
      blur: true,
      noiseSuppression: true,
    };
    expect(parseMediaPreferences(JSON.stringify(stored))).toEqual(stored);
  });

  it('gives the defaults (no device chosen, effects off) when nothing or nothing readable is stored', () => {
    for (const raw of [null, '', 'not json', '[1,2]', '"a string"', 'null', '42'])
      expect(parseMediaPreferences(raw), String(raw)).toEqual(DEFAULT_MEDIA);
  });

  it('drops a bad field alone and keeps the others', () => {
    const raw = JSON.stringify({
      cameraId: 42,
      microphoneId: 'mic-2',
      speakerId: '',
      blur: 'yes',
      noiseSuppression: true,
      extra: 1,
    });
    expect(parseMediaPreferences(raw)).toEqual({
      cameraId: null,
      microphoneId: 'mic-2',
      speakerId: null,
      blur: false,
      noiseSuppression: true,
    });
  });

  it('refuses a device id no browser would make (too long)', () => {
    expect(parseMediaPreferences(JSON.stringify({ cameraId: 'x'.repeat(10_000) })).cameraId).toBeNull();
  });
});
