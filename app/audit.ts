import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { Clock } from '../domain/ports/clock';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventStore } from '../domain/ports/event-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { TokenService } from '../gateways/auth/tokens';
import { auditRoutes } from '../gateways/http/audit.routes';
import { sha256Hex } from '../infra/event-store/hash-chain';
import { createAuditService } from '../pipelines/audit/audit-service';
import { createAuditCheckpointer } from '../pipelines/audit/checkpointer';
import { createAuditSigner, publicJwk } from '../pipelines/audit/checkpoint-signer';
import { loadOrCreateAuditKey } from './audit-key';
import type { Config } from './config';

/** Where the checkpointer keeps, per meeting, the last revision it signed. */
const SIGNED_UP_TO = '_audit_checkpoints';

/**
 * Wires the audit pipeline: the signing key, the read side behind the auditors' routes, and the
 * checkpointer (its own bus consumer group, so a slow signature never delays a broadcast).
 */
export async function startAudit(deps: {
  config: Config;
  store: EventStore;
  bus: EventBus;
  projectionStore: ProjectionStore;
  commands: MeetingCommandHandler;
  tokens: TokenService;
  clock: Clock;
  logger: Logger;
  /** Each checkpoint signed (the metrics' counter). */
  onSigned?(reason: 'interval' | 'end'): void;
}): Promise<{ plugin: (app: FastifyInstance) => Promise<void>; close(): Promise<void> }> {
  const signer = createAuditSigner(loadOrCreateAuditKey(deps.config.DATA_DIR, deps.config.AUDIT_SIGNING_KEY));
  const audit = createAuditService({
    store: deps.store,
    clock: deps.clock,
    hashFn: sha256Hex,
    publicKey: signer.publicKey,
    keyId: signer.keyId,
  });
  const checkpointer = createAuditCheckpointer({
    store: deps.store,
    signer,
    clock: deps.clock,
    intervalMs: deps.config.AUDIT_CHECKPOINT_SECONDS * 1000,
    logger: deps.logger.child({ part: 'audit-checkpointer' }),
    ...(deps.onSigned ? { onSigned: deps.onSigned } : {}),
    signedUpTo: {
      load: async (meetingId) =>
        Number((await deps.projectionStore.get(SIGNED_UP_TO, '', meetingId))?.['revision'] ?? -1),
      saveAll: (revisions) =>
        deps.projectionStore.transaction(async (tx) => {
          for (const [meetingId, revision] of revisions)
            await tx.put(SIGNED_UP_TO, '', meetingId, { revision });
        }),
    },
  });
  checkpointer.start();
  const subscription = await deps.bus.subscribe({
    group: 'audit-checkpoints',
    fromBeginning: true,
    gatherMs: 250, // checkpoints are signed every few seconds: nobody waits on an event here
    handler: (events) => checkpointer.handle(events),
  });
  return {
    plugin: auditRoutes({
      tokens: deps.tokens,
      meeting: (meetingId) => deps.commands.load(meetingId),
      audit,
      publicJwk: publicJwk(signer.publicKey),
    }),
    async close() {
      await subscription.close();
      await checkpointer.stop();
    },
  };
}
