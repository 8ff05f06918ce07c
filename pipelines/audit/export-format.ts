import { z } from 'zod';
import { SignedCheckpointSchema, type SignedCheckpoint } from '../../domain/audit/checkpoint';
import { StoredEventSchema, type StoredEvent } from '../../domain/shared/envelope';
import { ConferError } from '../../domain/shared/errors';

/**
 * The audit export: NDJSON, one JSON object per line. A header, every event of the meeting's
 * stream as stored (hash and prevHash included), every signed checkpoint again on its own line
 * (so a keeper can pick them out without parsing events), and a trailer counting what came before:
 * a file cut short has no trailer, or a count that does not match.
 */
export const EXPORT_FORMAT = 'confer-audit-export';

const HeaderSchema = z.object({
  kind: z.literal('header'),
  format: z.literal(EXPORT_FORMAT),
  v: z.literal(1),
  meetingId: z.string().min(1),
  streamId: z.string().min(1),
  exportedAt: z.string(),
  keyId: z.string(),
});
const EventLine = z.object({ kind: z.literal('event'), event: StoredEventSchema });
const CheckpointLine = z.object({ kind: z.literal('checkpoint') }).extend(SignedCheckpointSchema.shape);
const TrailerSchema = z.object({
  kind: z.literal('end'),
  events: z.number().int(),
  checkpoints: z.number().int(),
});

export type ExportHeader = z.infer<typeof HeaderSchema>;

export const headerLine = (header: Omit<ExportHeader, 'kind' | 'format' | 'v'>): string =>
  JSON.stringify({ kind: 'header', format: EXPORT_FORMAT, v: 1, ...header });
export const eventLine = (event: StoredEvent): string => JSON.stringify({ kind: 'event', event });
export const checkpointLine = (signed: SignedCheckpoint): string =>
  JSON.stringify({ kind: 'checkpoint', ...signed });
export const trailerLine = (events: number, checkpoints: number): string =>
  JSON.stringify({ kind: 'end', events, checkpoints });

export interface ParsedExport {
  header: ExportHeader;
  events: StoredEvent[];
  checkpoints: SignedCheckpoint[];
}

const invalid = (line: number, why: string) =>
  new ConferError('CONFER_AUDIT_EXPORT_INVALID', `line ${line}: ${why}`, `line ${line}`);

/** Reads an export back; anything malformed, mixed or truncated is a coded error naming the line. */
export function parseExport(text: string): ParsedExport {
  const lines = text.split('\n').filter((l, i, all) => l.length > 0 || i < all.length - 1);
  if (lines.length === 0 || lines[0] === '') throw invalid(1, 'empty file');
  let header: ExportHeader | undefined;
  const events: StoredEvent[] = [];
  const checkpoints: SignedCheckpoint[] = [];
  let ended = false;
  lines.forEach((raw, index) => {
    const n = index + 1;
    if (ended) throw invalid(n, 'content after the trailer');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw invalid(n, 'not JSON');
    }
    if (index === 0) {
      const parsed = HeaderSchema.safeParse(value);
      if (!parsed.success) throw invalid(n, `not a ${EXPORT_FORMAT} v1 header`);
      header = parsed.data;
      return;
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (kind === 'event') {
      const parsed = EventLine.safeParse(value);
      if (!parsed.success) throw invalid(n, `bad event (${parsed.error.issues[0]?.path.join('.') ?? ''})`);
      if (parsed.data.event.meetingId !== header!.meetingId) throw invalid(n, 'event of another meeting');
      events.push(parsed.data.event);
    } else if (kind === 'checkpoint') {
      const parsed = CheckpointLine.safeParse(value);
      if (!parsed.success) throw invalid(n, 'bad checkpoint');
      checkpoints.push({ checkpoint: parsed.data.checkpoint, signature: parsed.data.signature });
    } else if (kind === 'end') {
      const parsed = TrailerSchema.safeParse(value);
      if (!parsed.success) throw invalid(n, 'bad trailer');
      if (parsed.data.events !== events.length || parsed.data.checkpoints !== checkpoints.length)
        throw invalid(
          n,
          `trailer counts ${parsed.data.events} events and ${parsed.data.checkpoints} checkpoints; the file has ${events.length} and ${checkpoints.length}`,
        );
      ended = true;
    } else throw invalid(n, `unknown line kind ${JSON.stringify(kind)}`);
  });
  if (!ended) throw invalid(lines.length, 'no trailer: the file is truncated');
  return { header: header!, events, checkpoints };
}
