import type { KeyObject } from 'node:crypto';
import {
  CHECKPOINT_EVENT_TYPE,
  SignedCheckpointSchema,
  type SignedCheckpoint,
} from '../../domain/audit/checkpoint';
import type { StoredEvent } from '../../domain/shared/envelope';
import { verifyChain, type ChainedEvent, type HashFn } from '../../domain/shared/hash-chain';
import { signatureHolds } from './checkpoint-signer';

export type { AuditFailure, AuditVerdict } from '../../protocol/audit-views';
import type { AuditFailure, AuditVerdict } from '../../protocol/audit-views';

/** The signed checkpoints carried by a stream (as AuditCheckpointSigned events). */
export function checkpointsIn(events: readonly Pick<StoredEvent, 'type' | 'data'>[]): SignedCheckpoint[] {
  const found: SignedCheckpoint[] = [];
  for (const event of events) {
    if (event.type !== CHECKPOINT_EVENT_TYPE) continue;
    const parsed = SignedCheckpointSchema.safeParse(event.data);
    if (parsed.success) found.push(parsed.data);
  }
  return found;
}

/**
 * Verifies a stream: its hash chain first (any edit left without recomputing the hashes shows at
 * the edited event), then every signed checkpoint against it (an edit with every later hash
 * recomputed shows at the first checkpoint signed after the edit). `extra` are checkpoints kept
 * elsewhere (an export, an auditor's own copy).
 */
export function auditStream(
  events: readonly ChainedEvent[],
  hashFn: HashFn,
  publicKey: KeyObject,
  extra: readonly SignedCheckpoint[] = [],
): AuditVerdict {
  const chain = verifyChain(events, hashFn);
  const unique = new Map([...checkpointsIn(events), ...extra].map((c) => [c.signature, c]));
  const checkpoints = [...unique.values()].sort((a, b) => a.checkpoint.revision - b.checkpoint.revision);
  const byRevision = new Map(events.map((e) => [e.streamRevision, e.hash]));
  let verified = 0;
  let latest: AuditVerdict['checkpoints']['latest'] = null;
  let failure: { brokenAt: number; reason: AuditFailure } | undefined = chain.intact
    ? undefined
    : { brokenAt: chain.brokenAt, reason: chain.reason };
  for (const signed of checkpoints) {
    const { revision, hash } = signed.checkpoint;
    let problem: AuditFailure | undefined;
    if (!signatureHolds(signed, publicKey)) problem = 'signature-invalid';
    else if (!byRevision.has(revision)) problem = 'checkpoint-beyond-head';
    else if (byRevision.get(revision) !== hash) problem = 'checkpoint-mismatch';
    if (problem) {
      if (!failure || revision < failure.brokenAt) failure = { brokenAt: revision, reason: problem };
      continue;
    }
    verified++;
    latest = { ...signed.checkpoint, signature: signed.signature };
  }
  return {
    intact: failure === undefined,
    events: events.length,
    head: chain.intact ? chain.head : chain.lastGood,
    ...(failure ?? {}),
    checkpoints: { count: checkpoints.length, verified, latest },
  };
}
