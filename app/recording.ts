import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { Clock } from '../domain/ports/clock';
import type { Ids } from '../domain/ports/ids';
import type { ObjectStore } from '../domain/ports/object-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { TokenService } from '../gateways/auth/tokens';
import { downloadSigner } from '../gateways/http/download-signature';
import { recordingRoutes, type RecordingProgress } from '../gateways/http/recordings.routes';
import { createObjectStore } from './adapters';
import type { Config } from './config';

/** Where the recording pipeline keeps each job's stage and progress (one document per recording). */
export const RECORDING_JOBS = '_recording_jobs';

export interface RecordingWiring {
  objects: ObjectStore;
  routes(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

/** Recording's parts, built from the configuration: the object store and the host's API. */
export function createRecordingWiring(deps: {
  config: Config;
  logger: Logger;
  secret: string;
  commands: MeetingCommandHandler;
  tokens: TokenService;
  ids: Ids;
  clock: Clock;
  projectionStore: ProjectionStore;
}): RecordingWiring {
  const { config } = deps;
  const objects = createObjectStore(config, downloadSigner(deps.secret, config.publicUrl));
  const progressOf = async (
    meetingId: string,
    recordingId: string,
  ): Promise<RecordingProgress | undefined> => {
    const job = await deps.projectionStore.get(RECORDING_JOBS, meetingId, recordingId);
    if (!job) return undefined;
    return { stage: String(job['stage'] ?? 'queued'), fraction: Number(job['fraction'] ?? 0) };
  };
  const plugin = recordingRoutes({
    commands: deps.commands,
    tokens: deps.tokens,
    ids: deps.ids,
    clock: deps.clock,
    objects,
    downloadSecret: deps.secret,
    urlTtlSeconds: config.RECORDING_URL_TTL_SECONDS,
    progressOf,
  });
  return {
    objects,
    routes: async (app) => {
      await app.register(plugin);
    },
    close: () => objects.close(),
  };
}
