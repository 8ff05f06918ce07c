import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { Server as SocketIoServer } from 'socket.io';
import { createMeetingCommandHandler, type MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { EventBus } from '../domain/ports/event-bus';
import type { NodeLinks } from '../protocol/node-link.port';
import type { QualitySample } from '../media/quality';
import type { EventStore } from '../domain/ports/event-store';
import type { ObjectStore } from '../domain/ports/object-store';
import type { ProjectionStore } from '../domain/ports/projection-store';
import { isConferError } from '../domain/shared/errors';
import { iceServersFor } from '../gateways/auth/turn-credentials';
import { OwnFrameAdapter } from '../gateways/signaling/broadcast-frames';
import { createNodeTokens } from '../cluster/node-tokens';
import { createPasscodeGuard } from '../gateways/auth/passcode-guard';
import { createTokenService } from '../gateways/auth/tokens';
import { analyticsRoutes } from '../gateways/http/analytics.routes';
import { buildHttpServer } from '../gateways/http/http-server';
import type { MediaSignaling } from '../protocol/media-signaling.port';
import { createNodeLinks } from '../cluster/node-links';
import { createNodeRegistry } from '../cluster/node-registry';
import { createPlacement } from '../cluster/placement';
import { createNodeProbe } from '../cluster/node-probe';
import { createPresenceSweeper } from '../cluster/presence-sweeper';
import { createSignalingGateway } from '../gateways/signaling/signaling-gateway';
import type { SignalingServer } from '../gateways/signaling/socket-types';
import { createSystemClock } from '../infra/clock/system-clock';
import { createRandomIds } from '../infra/ids/random-ids';
import { createEventForwarder, type Forwarder } from '../pipelines/forwarder/event-forwarder';
import { runWhileLeader } from '../pipelines/forwarder/leader';
import { allProjections, createProjectionRunner } from '../projections';
import { retryingProjections } from '../projections/retrying-handler';
import {
  createEventBus,
  createEventStore,
  createLeaseManager,
  createProjectionStore,
  sqliteEventsPath,
} from './adapters';
import type { Config } from './config';
import { analyticsEnvelope, createAnalytics } from './analytics';
import { startAudit } from './audit';
import { collectWhenIdle } from './idle-gc';
import { createMetrics, observeDeployment } from './metrics';
import { serveMetrics } from './metrics-server';
import { createWorkerCpuMeter } from './worker-cpu';
import { createMeetingQueries } from './meeting-queries';
import { createRecordingWiring } from './recording';
import { startReadModelsThread } from './read-models/read-models-thread';
import { loadOrCreateSecret } from './secret';

export interface RunningConfer {
  url: string;
  port: number;
  logger: Logger;
  store: EventStore;
  commands: MeetingCommandHandler;
  close(): Promise<void>;
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** How far the read models may trail the broadcasts on the in-process bus (see the forwarder). */
const FORWARDER_MAX_LAG_MS = 250;
/** The forwarder stores its position at most 4 times a second (a crash replays ≤ 250 ms more). */
const FORWARDER_CHECKPOINT_EVERY_MS = 250;
/**
 * How soon the read models' thread following the event store sees a new event after a busy spell
 * (it backs off to 8× this while the store stays quiet): an empty indexed read costs it a few µs.
 */
const READ_MODELS_IDLE_POLL_MS = 5;

const mb = (bytes: number) => Math.round(bytes / 1e6);

/** The composition root: builds every adapter from the configuration and wires ports to parts. */
export async function startConfer(
  config: Config,
  options: {
    logger?: Logger;
    media?: (deps: MediaDeps) => Promise<
      MediaSignaling & {
        close(): Promise<void>;
        stats?(): object;
        workers?(): ReadonlyArray<{ index: number; pid: number }>;
      }
    >;
  } = {},
): Promise<RunningConfer> {
  const logger = options.logger ?? pino({ level: config.LOG_LEVEL, base: { node: config.nodeId } });
  const metrics = createMetrics(config.nodeId);
  const idleGc = config.GC_WHEN_IDLE
    ? collectWhenIdle({
        gc: globalThis.gc,
        onCollected: ({ ms, beforeBytes, afterBytes }) =>
          logger.info(
            { ms: Math.round(ms), oldSpaceMbBefore: mb(beforeBytes), oldSpaceMbAfter: mb(afterBytes) },
            'full garbage collection while idle',
          ),
      })
    : undefined;
  const workerCpu = createWorkerCpuMeter();
  let closed = false;
  const secret = loadOrCreateSecret(config.DATA_DIR, config.AUTH_SECRET);
  const ids = createRandomIds();
  const clock = createSystemClock();

  const store = await createEventStore(config, {
    batchWritten: (appends, seconds, queuedSeconds) =>
      metrics.observeStoreWrite(appends, seconds, queuedSeconds),
  });
  const projectionStore = await createProjectionStore(config);
  const bus = await createEventBus(config, logger);

  // Join failures go to the analytics stream too, once it exists (below).
  let onJoinFailed: (meetingId: string, code: string, requestId: string) => void = () => undefined;
  const commands = instrument(createMeetingCommandHandler({ store, ids, clock }), metrics, (...args) =>
    onJoinFailed(...args),
  );
  const runner = createProjectionRunner({ store: projectionStore, projections: allProjections(), logger });
  // The read models on a thread of their own (by default): this runner then only answers waitFor
  // and status, woken by the thread's commits.
  const readModels = config.READ_MODELS_THREAD
    ? await startReadModelsThread(
        {
          store: {
            PROJECTION_STORE: config.PROJECTION_STORE,
            PROJECTION_STORE_URL: config.PROJECTION_STORE_URL,
            DATA_DIR: config.DATA_DIR,
          },
          analytics: { ...analyticsEnvelope(config), chatContent: config.ANALYTICS_CHAT_CONTENT },
          logLevel: config.LOG_LEVEL,
          nodeId: config.nodeId,
          niceness: config.READ_MODELS_NICENESS,
          idlePolicy: config.READ_MODELS_IDLE_POLICY,
          ...(config.BUS === 'kafka'
            ? {
                consume: {
                  BUS: config.BUS,
                  KAFKA_BROKERS: config.KAFKA_BROKERS,
                  KAFKA_TOPIC: config.KAFKA_TOPIC,
                  KAFKA_PARTITIONS: config.KAFKA_PARTITIONS,
                  KAFKA_COMMIT_INTERVAL_MS: config.KAFKA_COMMIT_INTERVAL_MS,
                  nodeId: config.nodeId,
                },
              }
            : {}),
          // On the embedded store and bus the thread follows the event store itself: this event
          // loop copies nothing across, and its broadcasts never wait for the read models.
          ...(config.BUS === 'in-process' && config.EVENT_STORE === 'sqlite'
            ? {
                tail: {
                  eventsPath: sqliteEventsPath(config),
                  batchSize: config.READ_MODELS_BATCH,
                  lingerMs: config.READ_MODELS_LINGER_MS,
                  idlePollMs: READ_MODELS_IDLE_POLL_MS,
                },
              }
            : {}),
        },
        { lingerMs: config.READ_MODELS_LINGER_MS },
      )
    : undefined;
  readModels?.onProjected(() => runner.committedElsewhere());
  // How far each target has committed, beside the forwarder's position: under SCHED_IDLE on full
  // cores the thread may trail for as long as the load lasts, and this is where that shows.
  readModels?.onApplied((target, _events, _report, position) =>
    metrics.readModelsPosition.set({ target }, position),
  );
  readModels?.onProjectionFailure(() => metrics.projectionFailures.inc());
  // On Kafka the thread is a consumer itself (its groups' fetches and decoding off this event
  // loop); otherwise this thread consumes and hands each batch over.
  const projectionSubscription = readModels?.consumes
    ? undefined
    : await bus.subscribe({
        group: 'projections',
        fromBeginning: true,
        handler: retryingProjections(
          readModels
            ? { handle: async (events) => void (await readModels.apply('projections', events)) }
            : runner,
          { logger, onFailure: () => metrics.projectionFailures.inc(), closing: () => closed },
        ),
      });

  const tokens = createTokenService({ secret, participantTtlSeconds: config.TOKEN_TTL_SECONDS });
  // Analysts' stream: its own bus group (its own queue: it never delays a broadcast).
  const analytics = createAnalytics({
    config,
    bus,
    store: projectionStore,
    logger,
    metrics,
    ...(readModels ? { thread: readModels } : {}),
  });
  await analytics.pipeline.start();
  // Once the listeners above are in place: the thread's own consumers (Kafka) start, or it
  // starts following the event store, whose file exists once the store answers.
  if (readModels?.consumes) {
    await store.headPosition();
    await readModels.consume();
  }
  onJoinFailed = (meetingId, code, requestId) => analytics.joinFailed(meetingId, code, requestId);
  const queries = createMeetingQueries(projectionStore, runner);
  const iceServers = (participantId: string) =>
    iceServersFor(participantId, {
      ...(config.STUN_URLS ? { stunUrls: config.STUN_URLS } : {}),
      ...(config.TURN_URLS ? { turnUrls: config.TURN_URLS } : {}),
      ...(config.TURN_SECRET ? { turnSecret: config.TURN_SECRET } : {}),
      ttlSeconds: config.TURN_TTL_SECONDS,
      nowMs: clock.now().getTime(),
    });

  const registry = createNodeRegistry({
    store: projectionStore,
    clock,
    self: { nodeId: config.nodeId, url: config.publicUrl, media: config.MEDIA },
    load: () => gateway.connectionCount(),
    onError: (error) => logger.warn({ err: error }, 'node heartbeat failed'),
  });
  const placement = createPlacement({
    commands,
    registry,
    self: { nodeId: config.nodeId, url: config.publicUrl },
    perNode: config.MEDIA_PARTICIPANTS_PER_NODE,
  });

  async function scrapeMetrics() {
    metrics.connections.set(gateway.connectionCount());
    await observeDeployment(queries, metrics).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not count meetings for /metrics'),
    );
    for (const { worker, ratio } of workerCpu(media?.workers?.() ?? []))
      metrics.sfuWorkerCpu.set({ worker }, ratio);
    const sfu = media?.stats?.();
    if (sfu)
      for (const [name, value] of Object.entries(sfu))
        if (typeof value === 'number') metrics.sfu.set({ object: name }, value);
    return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  }
  const auditing = await startAudit({
    config,
    store,
    bus,
    projectionStore,
    commands,
    tokens,
    clock,
    logger,
    onSigned: (reason) => metrics.auditCheckpoints.inc({ reason }),
  });
  const recording = await createRecordingWiring({
    config,
    logger: logger.child({ part: 'recording' }),
    secret,
    commands,
    tokens,
    ids,
    clock,
    projectionStore,
  });

  const webRoot = join(repoRoot, 'web', 'dist');
  const app = await buildHttpServer({
    logger,
    commands,
    queries,
    tokens,
    ids,
    clock,
    authSecret: secret,
    publicUrl: config.publicUrl,
    signalingBaseUrl: (meetingId, participantId) => placement.signalingBaseUrl(meetingId, participantId),
    iceServers,
    meeting: (meetingId) => commands.load(meetingId),
    passcodeGuard: createPasscodeGuard(),
    trustedProxies: config.TRUSTED_PROXIES ?? [],
    metricsOnMainPort: config.METRICS_PORT === undefined,
    ratePerMinute: config.HTTP_RATE_PER_MINUTE,
    mediaOrigins: recording.mediaOrigins,
    plugins: [
      auditing.plugin,
      recording.routes,
      analyticsRoutes({
        tokens,
        meeting: (meetingId) => commands.load(meetingId),
        analytics: analytics.queries,
      }),
    ],
    ...(existsSync(webRoot) ? { webRoot } : {}),
    metrics: scrapeMetrics,
    health: async () => ({
      ok: true,
      details: {
        node: config.nodeId,
        eventStoreHead: await store.headPosition(),
        forwarded: forwarder?.position ?? null,
        leader: forwarding.leading,
        // Which deployment-wide jobs run here (each held by one node at a time).
        sweeping: sweeping.leading,
        sockets: gateway.connectionCount(),
      },
    }),
  });

  const io: SignalingServer = new SocketIoServer(app.server, {
    // Broadcast frames in memory of their own, not slices of Node's shared buffer pool.
    adapter: OwnFrameAdapter,
    serveClient: false,
    cleanupEmptyChildNamespaces: true,
    maxHttpBufferSize: 256 * 1024,
    pingInterval: config.SOCKET_PING_INTERVAL_MS,
    pingTimeout: config.SOCKET_PING_TIMEOUT_MS,
  });
  // Links between the SFUs of the deployment's nodes, for meetings cascaded over several nodes.
  const links = createNodeLinks({
    io,
    selfNodeId: config.nodeId,
    tokens: createNodeTokens(secret),
    resolve: async (nodeId) => (await registry.live()).find((n) => n.nodeId === nodeId)?.url,
    logger: logger.child({ part: 'node-links' }),
  });
  const media = options.media
    ? await options.media({
        config,
        logger,
        commands,
        bus,
        nodeId: config.nodeId,
        links,
        onQuality: (meetingId, samples) => analytics.sfuSamples(meetingId, samples),
        objects: recording.objects,
      })
    : undefined;
  const gateway = createSignalingGateway({
    io,
    commands,
    tokens,
    store,
    bus,
    ids,
    logger,
    nodeId: config.nodeId,
    httpServer: app.server,
    rate: {
      perSecond: config.SOCKET_RATE_PER_SECOND,
      burst: config.SOCKET_RATE_BURST,
      perAddressPerSecond: config.SOCKET_RATE_PER_ADDRESS_PER_SECOND,
      perAddressBurst: config.SOCKET_RATE_PER_ADDRESS_BURST,
      connectsPerMinute: config.SOCKET_CONNECTS_PER_MINUTE,
    },
    reconnectGraceMs: config.RECONNECT_GRACE_SECONDS * 1000,
    links,
    ...(media ? { media } : {}),
    metrics: {
      messages: (type, outcome) => metrics.socketMessages.inc({ type, outcome }),
      broadcasts: (count) => metrics.broadcasts.inc(count),
      broadcastLag: (events) =>
        metrics.observeLag(
          'broadcast',
          events.map((e) => e.occurredAt),
        ),
    },
  });
  await gateway.start();

  // One forwarder per deployment: the node holding the lease publishes, from the shared checkpoint.
  const leases = await createLeaseManager(config, logger);
  let forwarder: Forwarder | undefined;
  const forwarding = runWhileLeader({
    leases,
    name: 'forwarder',
    logger,
    start: async () => {
      forwarder = createEventForwarder({
        store,
        bus,
        logger,
        // The in-process bus gives each group its own queue: batches in flight let fast groups
        // (broadcasts) run ahead of slow ones (read models, analytics), but not far: people read
        // the REST views right after a broadcast (1,024 batches with no other bound let the read
        // models fall seconds behind under load, and the views went stale; fresh-clone CI,
        // 2026-12-02). The bound is in time: a window of 16 batches was 16 events when quiet and
        // ~50 ms of chat at 4,000/s, less than the read models' own hand-over linger. Kafka takes one.
        // (On SQLite the read models' thread follows the store itself: no read model is on the bus.)
        maxInFlight: config.BUS === 'in-process' ? 1024 : 1,
        maxLagMs: FORWARDER_MAX_LAG_MS,
        // Every Kafka produce request, and each group's fetch that answers it, costs CPU beyond its
        // messages (~250 and ~150 µs here, docs/capacity.md): a linger makes them fewer and larger.
        lingerMs: config.BUS === 'kafka' ? config.KAFKA_LINGER_MS : 0,
        checkpointEveryMs: FORWARDER_CHECKPOINT_EVERY_MS,
        checkpoint: {
          load: async () => Number((await projectionStore.get('_forwarder', '', 'bus'))?.['position'] ?? 0),
          save: (position) =>
            projectionStore.transaction((tx) => tx.put('_forwarder', '', 'bus', { position })),
        },
        onForwarded: (count, last, occurredAt) => {
          metrics.forwarded.inc(count);
          metrics.forwarderPosition.set(last);
          metrics.observeLag('forwarded', occurredAt);
        },
      });
      await forwarder.start();
    },
    stop: async () => {
      await forwarder?.stop();
      forwarder = undefined;
    },
  });

  // One relay of analytics records to Kafka per deployment (BUS=kafka), like the forwarder.
  const relaying = runWhileLeader({
    leases,
    name: 'analytics-relay',
    logger,
    start: () => analytics.startRelay(),
    stop: () => analytics.stopRelay(),
  });

  // Whoever this node carried before a restart is not connected any more (sockets are not yet open).
  const sweeper = createPresenceSweeper({
    store: projectionStore,
    registry,
    commands,
    clock,
    logger: logger.child({ part: 'presence-sweeper' }),
    selfNodeId: config.nodeId,
    graceMs: config.RECONNECT_GRACE_SECONDS * 1000,
    answers: createNodeProbe(),
    onSecondLook: (_nodeId, answered) =>
      metrics.nodeSecondLooks.inc({ answer: answered ? 'answered' : 'silent' }),
  });
  await sweeper.sweepOwn().catch((error: unknown) => {
    logger.warn({ err: error }, 'could not sweep the connections of this node before its restart');
  });
  // One sweeper per deployment, like the forwarder: whichever node holds its lease.
  const sweeping = runWhileLeader({
    leases,
    name: 'presence-sweeper',
    logger,
    start: async () => sweeper.start(),
    stop: () => sweeper.stop(),
  });

  await recording.start({ store, bus, leases });

  await app.listen({ port: config.PORT, host: config.HOST });
  // Metrics on a port of their own (for a scraper inside the network), or behind an operator credential.
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await serveMetrics({ port: config.METRICS_PORT, host: config.METRICS_HOST, scrape: scrapeMetrics });
  await registry.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(
    { port, publicUrl: config.publicUrl, eventStore: config.EVENT_STORE, bus: config.BUS },
    'Confer is ready',
  );

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logger,
    store,
    commands,
    async close() {
      if (closed) return;
      closed = true;
      await registry.stop();
      await gateway.close();
      await links.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await app.close();
      await metricsServer?.close();
      metrics.close();
      idleGc?.stop();
      await media?.close();
      await forwarding.stop();
      await sweeping.stop();
      await auditing.close();
      await relaying.stop();
      await recording.close();
      await leases.close();
      await analytics.close();
      await projectionSubscription?.close();
      await readModels?.close();
      await bus.close();
      await projectionStore.close();
      await store.close();
    },
  };
}

export interface MediaDeps {
  config: Config;
  logger: Logger;
  commands: MeetingCommandHandler;
  bus: EventBus;
  nodeId: string;
  links: NodeLinks;
  /** Each participant's raw measurements at every SFU quality round. */
  onQuality?: (meetingId: string, samples: Record<string, QualitySample>) => void;
  /** Where recordings are stored (the SFU writes segments there). */
  objects?: ObjectStore;
}

/** Wraps the handler to count commands and time them (Prometheus). */
function instrument(
  handler: MeetingCommandHandler,
  metrics: ReturnType<typeof createMetrics>,
  joinFailed: (meetingId: string, code: string, requestId: string) => void,
): MeetingCommandHandler {
  return {
    ...handler,
    async handle(aggregateId, command, context) {
      const end = metrics.commandSeconds.startTimer({ type: command.type });
      try {
        const result = await handler.handle(aggregateId, command, context);
        metrics.commands.inc({ type: command.type, outcome: 'ok' });
        if (command.type === 'JoinMeeting') metrics.joins.inc();
        return result;
      } catch (error) {
        const code = isConferError(error) ? error.code : 'CONFER_INTERNAL';
        metrics.commands.inc({ type: command.type, outcome: code });
        if (command.type === 'JoinMeeting') {
          metrics.joins.inc();
          metrics.joinFailures.inc({ code });
          // A meeting that does not exist has no stream to record into (and ids can be made up).
          if (code !== 'CONFER_MEETING_NOT_FOUND')
            joinFailed(aggregateId, code, context.correlationId ?? crypto.randomUUID());
        }
        throw error;
      } finally {
        end();
      }
    },
  };
}

export type { ProjectionStore };
