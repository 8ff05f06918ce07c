import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `--ttl 90s | 15m | 1h | 7d` → seconds (1 minute to 366 days). */
export function parseTtl(value: string): number {
  const match = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a number and a unit: 90s, 15m, 1h or 7d');
  const seconds = Number(match[1]) * UNITS[match[2]!]!;
  if (seconds < 60 || seconds > 366 * 86400) throw new InvalidArgumentError('must be between 1m and 366d');
  return seconds;
}
