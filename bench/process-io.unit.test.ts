import { describe, expect, it } from 'vitest';
import { storageWrittenBytes, writtenBytesOf } from './process-io';

describe("a process's storage writes (/proc/<pid>/io)", () => {
  it('reads write_bytes, not wchar or cancelled_write_bytes', () => {
    const text = [
      'rchar: 100',
      'wchar: 999999',
      'syscr: 3',
      'syscw: 4',
      'read_bytes: 0',
      'write_bytes: 1040384',
      'cancelled_write_bytes: 4096',
    ].join('\n');
    expect(writtenBytesOf(text)).toBe(1_040_384);
    expect(writtenBytesOf('rchar: 1\nwchar: 2\n')).toBeUndefined();
  });

  it('answers for this process, and nothing for one that does not exist', () => {
    expect(storageWrittenBytes(process.pid)).toBeTypeOf('number');
    expect(storageWrittenBytes(2 ** 30)).toBeUndefined();
  });
});
