import { canonicalJson } from '../shared/canonical-json';
import { z } from 'zod';

/**
 * A signed checkpoint: the deployment's statement "meeting M's stream had N events ending in hash
 * H at time T", signed with its Ed25519 audit key. Whoever keeps one can later prove that the
 * stream they are shown extends that history (RFC 6962's signed tree head, for a hash chain): an
 * edit with every later hash recomputed still changes the hash at the signed revision.
 *
 * Published as an event of the meeting's own stream (type `AuditCheckpointSigned`), so the
 * chain itself carries every checkpoint, every consumer of the bus (and every export) receives
 * them, and no second stream can drift from the first. Meeting code ignores the type (it is not
 * a meeting event), so state and broadcasts are unchanged.
 */
export const CHECKPOINT_EVENT_TYPE = 'AuditCheckpointSigned';

export const CheckpointSchema = z.object({
  v: z.literal(1),
  meetingId: z.string().min(1),
  streamId: z.string().min(1),
  /** Revision of the last event covered (the stream's head when signed, checkpoints excluded). */
  revision: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  signedAt: z.string(),
  /** First 16 hex digits of SHA-256 over the raw public key: which key to verify with. */
  keyId: z.string().min(1),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const SignedCheckpointSchema = z.object({
  checkpoint: CheckpointSchema,
  /** Ed25519 signature (base64url) over `checkpointMessage(checkpoint)`. */
  signature: z.string().min(1),
});
export type SignedCheckpoint = z.infer<typeof SignedCheckpointSchema>;

/** The exact bytes signed: the checkpoint's canonical JSON (RFC 8785), with a domain tag. */
export const checkpointMessage = (checkpoint: Checkpoint): string =>
  `confer-audit-checkpoint:${canonicalJson(checkpoint) ?? ''}`;
