import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { EventBus } from '../../domain/ports/event-bus';
import type { EventStore } from '../../domain/ports/event-store';
import type { StoredEvent } from '../../domain/shared/envelope';
import type { Ids } from '../../domain/ports/ids';
import { ErrorCodes, isConferError } from '../../domain/shared/errors';
import type { ErrorBody } from '../../protocol/ack';
import type { MediaSignaling } from '../../protocol/media-signaling.port';
import type { NodeLinks } from '../../protocol/node-link.port';
import type { TokenService } from '../auth/tokens';
import type { ConnectionHub } from './connection';
import type { RateLimits, SignalingRateConfig } from './rate-limits';

export interface SignalingGatewayDeps {
  commands: MeetingCommandHandler;
  tokens: TokenService;
  store: EventStore;
  bus: EventBus;
  ids: Ids;
  logger: Logger;
  nodeId: string;
  rate: SignalingRateConfig;
  reconnectGraceMs: number;
  media?: MediaSignaling;
  /** Links to the deployment's other nodes: peer signals reach people connected elsewhere. */
  links?: NodeLinks;
  metrics?: {
    messages(type: string, outcome: 'ok' | 'error'): void;
    broadcasts(count: number): void;
    /** Events just broadcast here, to measure how long after being decided they went out. */
    broadcastLag?(events: readonly StoredEvent[]): void;
  };
  /** For tests: the time (ms) token expiry is judged against. */
  now?: () => number;
}

/** What the transport-neutral parts share. */
export interface GatewayContext extends SignalingGatewayDeps {
  hub: ConnectionHub;
  limits: RateLimits;
  now: () => number;
}

export const errorBody = (error: unknown): ErrorBody => {
  if (isConferError(error))
    return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  return { code: 'CONFER_INTERNAL', message: ErrorCodes.CONFER_INTERNAL };
};
