import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { Clock } from '../domain/ports/clock';
import type { EventBus } from '../domain/ports/event-bus';
import type { EventStore } from '../domain/ports/event-store';
import type { LeaseManager } from '../domain/ports/lease';
import type { Ids } from '../domain/ports/ids';
import type { ObjectStore } from '../domain/ports/object-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import type { TokenService } from '../gateways/auth/tokens';
import { downloadSigner } from '../gateways/http/download-signature';
import { recordingRoutes, type RecordingProgress } from '../gateways/http/recordings.routes';
import { RECORDING_JOBS } from '../pipelines/recording/recording-job';
import { createRecordingPipeline } from '../pipelines/recording/recording-pipeline';
import { createObjectStore } from './adapters';
import type { Config } from './config';

export interface RecordingWiring {
  objects: ObjectStore;
  /** Where signed download links point when that is not this server (the page plays them). */
  mediaOrigins: string[];
  routes(app: FastifyInstance): Promise<void>;
  /** Starts the pipeline (a bus consumer; jobs run on the node holding its lease). */
  start(ports: { store: EventStore; bus: EventBus; leases: LeaseManager }): Promise<void>;
  close(): Promise<void>;
}

/** Recording's parts, built from the configuration: the object store and the host's API. */
export async function createRecordingWiring(deps: {
  config: Config;
  logger: Logger;
  secret: string;
  commands: MeetingCommandHandler;
  tokens: TokenService;
  ids: Ids;
  clock: Clock;
  projectionStore: ProjectionStore;
}): Promise<RecordingWiring> {
  const { config } = deps;
  const objects = await createObjectStore(config, downloadSigner(deps.secret, config.publicUrl));
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
  let pipeline: ReturnType<typeof createRecordingPipeline> | undefined;
  return {
    mediaOrigins: downloadOrigins(config),
    objects,
    routes: async (app) => {
      await app.register(plugin);
    },
    async start(ports) {
      if (!config.RECORDING) return;
      pipeline = createRecordingPipeline({
        ...ports,
        commands: deps.commands,
        objects,
        projections: deps.projectionStore,
        clock: deps.clock,
        logger: deps.logger,
        workRoot: join(config.DATA_DIR, 'recording-work'),
        ffmpeg: config.FFMPEG_PATH,
        ffprobe: config.FFPROBE_PATH,
        retry: { attempts: 6, firstDelayMs: 500, maxDelayMs: 15_000 },
        staleMs: config.RECORDING_STALE_SECONDS * 1000,
      });
      await pipeline.start();
    },
    async close() {
      await pipeline?.close();
      await objects.close();
    },
  };
}

/** The origins of the object store's signed links: an S3-compatible endpoint, or AWS S3's hosts. */
function downloadOrigins(config: Config): string[] {
  if (config.OBJECT_STORE !== 's3') return [];
  return config.S3_ENDPOINT ? [new URL(config.S3_ENDPOINT).origin] : ['https://*.amazonaws.com'];
}
