import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MeetingQueries } from '../gateways/http/meeting-queries';
import { observeEveryGc } from './gc-metrics';

/** Prometheus metrics of one node, served at /metrics. */
export function createMetrics(nodeId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectDefaultMetrics({ register: registry });
  // prom-client's own GC histogram misses collections under load (gc-metrics.ts).
  const gc = observeEveryGc(registry);
  const commands = new Counter({
    name: 'confer_commands_total',
    help: 'Commands handled, by type and outcome (ok or the error code)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const commandSeconds = new Histogram({
    name: 'confer_command_duration_seconds',
    help: 'Time from command to durable append',
    labelNames: ['type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const socketMessages = new Counter({
    name: 'confer_socket_messages_total',
    help: 'Socket messages received, by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const readModelsPosition = new Gauge({
    name: 'confer_read_models_position',
    help:
      'Global position of the last event the read models’ thread committed, by target (projections, ' +
      'analytics), where it feeds itself: confer_forwarder_position minus this is how far the REST views ' +
      'and the analysts’ log trail the event store',
    labelNames: ['target'] as const,
    registers: [registry],
  });
  const broadcasts = new Counter({
    name: 'confer_broadcasts_total',
    help: 'Messages broadcast to sockets',
    registers: [registry],
  });
  const eventLag = new Histogram({
    name: 'confer_event_lag_seconds',
    help:
      'From an event being decided (its occurredAt, on the deciding node’s clock) to a stage of its path: ' +
      'forwarded (on the bus, checkpoint stored) or broadcast (sent to this node’s sockets)',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  /** Observes each event's lag at `stage`, read against one clock reading for the batch. */
  /** `occurredAt`: the events' times (ISO 8601), not the events, which need not be kept for it. */
  const observeLag = (stage: 'forwarded' | 'broadcast', occurredAt: readonly string[]) => {
    const now = Date.now();
    const at = eventLag.labels(stage);
    for (const time of occurredAt) at.observe(Math.max(0, now - Date.parse(time)) / 1000);
  };
  /** The store writer's batches, timed and waited for: from a millisecond to seconds of a stalled disk. */
  const storeBatchBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
  const storeWriteSeconds = new Histogram({
    name: 'confer_event_store_write_seconds',
    help:
      'The embedded event store writer, per batch (group commit): hashing, inserts and commit with ' +
      'fsync. Appends arriving meanwhile wait for the next batch, so a slow disk delays every command',
    buckets: storeBatchBuckets,
    registers: [registry],
  });
  const storeWriteAppends = new Counter({
    name: 'confer_event_store_written_appends_total',
    help: 'Appends the embedded event store writer committed (÷ the batches counted above: appends per batch)',
    registers: [registry],
  });
  const storeQueueSeconds = new Histogram({
    name: 'confer_event_store_queue_seconds',
    help:
      'The embedded event store writer, per batch: how long its oldest append waited for the batch ' +
      'to start (its way to the writer thread, and the batches written before it)',
    buckets: storeBatchBuckets,
    registers: [registry],
  });
  const observeStoreWrite = (appends: number, seconds: number, queuedSeconds: number) => {
    storeWriteSeconds.observe(seconds);
    storeQueueSeconds.observe(queuedSeconds);
    storeWriteAppends.inc(appends);
  };
  const auditCheckpoints = new Counter({
    name: 'confer_audit_checkpoints_total',
    help: 'Signed audit checkpoints appended, by reason: a running meeting past its interval, or its end',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const forwarded = new Counter({
    name: 'confer_forwarded_events_total',
    help: 'Events published to the bus',
    registers: [registry],
  });
  const forwarderPosition = new Gauge({
    name: 'confer_forwarder_position',
    help: 'Global position forwarded to the bus',
    registers: [registry],
  });
  const projectionFailures = new Counter({
    name: 'confer_projection_failures_total',
    help: 'Projection batches that failed (retried, then parked)',
    registers: [registry],
  });
  const nodeSecondLooks = new Counter({
    name: 'confer_node_second_looks_total',
    help: 'Nodes late with their heartbeat that the presence sweeper asked directly, by the answer (answered: left alone; silent: judged gone)',
    labelNames: ['answer'] as const,
    registers: [registry],
  });
  const connections = new Gauge({
    name: 'confer_socket_connections',
    help: 'Sockets connected to this node',
    registers: [registry],
  });
  const sfu = new Gauge({
    name: 'confer_sfu_objects',
    help: 'SFU objects on this node (workers, routers, transports, producers, consumers, meetings, participants)',
    labelNames: ['object'] as const,
    registers: [registry],
  });
  const analyticsEvents = new Counter({
    name: 'confer_analytics_source_events_total',
    help: 'Meeting events and reports taken by the analytics pipeline',
    registers: [registry],
  });
  const analyticsParked = new Counter({
    name: 'confer_analytics_parked_total',
    help: 'Events the analytics pipeline could not take (parked in analytics_parked)',
    registers: [registry],
  });
  const analyticsPublished = new Counter({
    name: 'confer_analytics_published_total',
    help: 'Analytics records acknowledged by the Kafka topic',
    registers: [registry],
  });
  // The seed's "Monitoring & Observability" figures.
  const meetingsActive = new Gauge({
    name: 'confer_meetings_active',
    help: 'Meetings in progress in the deployment (from the meeting directory; every node reports the same figure)',
    registers: [registry],
  });
  const participantsActive = new Gauge({
    name: 'confer_participants_active',
    help: 'Participants present in meetings in progress in the deployment (from the meeting directory)',
    registers: [registry],
  });
  const meetingDuration = new Histogram({
    name: 'confer_meeting_duration_seconds',
    help: 'Duration of ended meetings',
    buckets: [60, 300, 900, 1800, 3600, 7200, 14400],
    registers: [registry],
  });
  const joinFailures = new Counter({
    name: 'confer_join_failures_total',
    help: 'Join requests refused or failed, by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const joins = new Counter({
    name: 'confer_join_attempts_total',
    help: 'Join requests handled (ok or failed)',
    registers: [registry],
  });
  const firstFrame = new Histogram({
    name: 'confer_time_to_first_frame_seconds',
    help: 'From joining to the first decoded remote video frame, as web clients report it',
    buckets: [0.25, 0.5, 1, 1.5, 2, 3, 5, 8, 13],
    registers: [registry],
  });
  const rtt = new Histogram({
    name: 'confer_rtt_seconds',
    help: 'Round-trip time per participant quality sample (origin: sfu or client)',
    labelNames: ['origin'] as const,
    buckets: [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2],
    registers: [registry],
  });
  const loss = new Histogram({
    name: 'confer_packet_loss_ratio',
    help: 'Packet loss per participant quality sample (0-1)',
    labelNames: ['origin'] as const,
    buckets: [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5],
    registers: [registry],
  });
  const jitter = new Histogram({
    name: 'confer_jitter_seconds',
    help: 'Jitter per participant quality sample',
    labelNames: ['origin'] as const,
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
    registers: [registry],
  });
  const sfuWorkerCpu = new Gauge({
    name: 'confer_sfu_worker_cpu_ratio',
    help: 'CPU used by each mediasoup worker since the previous scrape (1 = one whole core)',
    labelNames: ['worker'] as const,
    registers: [registry],
  });
  return {
    meetingsActive,
    participantsActive,
    meetingDuration,
    joinFailures,
    joins,
    firstFrame,
    rtt,
    loss,
    jitter,
    sfuWorkerCpu,
    analyticsEvents,
    analyticsParked,
    analyticsPublished,
    sfu,
    registry,
    commands,
    commandSeconds,
    socketMessages,
    broadcasts,
    observeLag,
    observeStoreWrite,
    auditCheckpoints,
    forwarded,
    forwarderPosition,
    readModelsPosition,
    projectionFailures,
    nodeSecondLooks,
    connections,
    /** Stops observing garbage collections (the node is closing). */
    close: () => gc.stop(),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Meetings in progress and the people in them, from the directory read model (paged). */
export async function observeDeployment(queries: MeetingQueries, metrics: Metrics): Promise<void> {
  let meetings = 0;
  let participants = 0;
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const result = await queries.list({ status: 'active', limit: 200, ...(cursor ? { cursor } : {}) });
    meetings += result.meetings.length;
    for (const m of result.meetings) participants += m.participantCount;
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  metrics.meetingsActive.set(meetings);
  metrics.participantsActive.set(participants);
}
