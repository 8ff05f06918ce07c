import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one node, served at /metrics. */
export function createMetrics(nodeId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ node: nodeId });
  collectDefaultMetrics({ register: registry });
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
  const broadcasts = new Counter({
    name: 'confer_broadcasts_total',
    help: 'Messages broadcast to sockets',
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
  return {
    analyticsEvents,
    analyticsParked,
    analyticsPublished,
    sfu,
    registry,
    commands,
    commandSeconds,
    socketMessages,
    broadcasts,
    forwarded,
    forwarderPosition,
    projectionFailures,
    connections,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
