import { readFileSync } from 'node:fs';

/**
 * What a process has caused to be written to storage (`write_bytes` of /proc/<pid>/io): the
 * kernel counts a page when it is dirtied for a file on a block device, so a page written twice
 * before it reaches the disk counts twice, and writes to tmpfs not at all. Undefined where the
 * file cannot be read (another user's process, a system without it).
 */
export function storageWrittenBytes(pid: number): number | undefined {
  try {
    return writtenBytesOf(readFileSync(`/proc/${pid}/io`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** `write_bytes` out of /proc/<pid>/io's text. */
export function writtenBytesOf(text: string): number | undefined {
  const line = /^write_bytes:\s*(\d+)\s*$/m.exec(text);
  return line ? Number(line[1]) : undefined;
}
