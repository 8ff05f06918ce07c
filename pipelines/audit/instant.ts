import { z } from 'zod';
import { ConferError } from '../../domain/shared/errors';

/** An instant an auditor asks about: a stream revision, or a wall-clock time. */
export type Instant = { kind: 'revision'; revision: number } | { kind: 'time'; at: string; ms: number };

const Revision = z.string().regex(/^\d{1,15}$/);
const IsoTime = z.iso.datetime({ offset: true });

/**
 * Parses `?at=` (and the CLI's `--at`): a non-negative integer is a revision, an ISO-8601 time with
 * a zone is a time; anything else is a coded error naming the field. Absent: the stream's head.
 */
export function parseInstant(raw: string | undefined, field = 'at'): Instant | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (Revision.safeParse(raw).success) return { kind: 'revision', revision: Number(raw) };
  if (IsoTime.safeParse(raw).success) return { kind: 'time', at: raw, ms: Date.parse(raw) };
  throw new ConferError(
    'CONFER_AUDIT_INSTANT_INVALID',
    `${field}: expected a revision (0, 1, 2, …) or an ISO-8601 time with a zone, got ${JSON.stringify(raw.slice(0, 60))}`,
    field,
  );
}
