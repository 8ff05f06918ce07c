/**
 * What forwarding cost the server, read the way LiveKit's `lk load-test` tables are read: the
 * server's CPU over a window divided by the packets its subscribers received in it. The SFU workers do
 * the forwarding (their CPU from /proc); the Node process beside them answers signaling, so both
 * are given, the workers alone and the two together (LiveKit is one process doing both).
 * Pure: the figures come from the resource sampler and the subscribers' getStats.
 */

export interface ForwardingInputs {
  /** 'steady': the figures below are over the steady window; 'run': over the whole run. */
  window: 'steady' | 'run';
  /** The steady window's length (null for the whole run). */
  seconds: number | null;
  /** RTP packets the subscribers received, audio and video, over the window. */
  packetsForwarded: number;
  subscribers: number;
  /** The subscribers' receive rates summed (over the window, or each since its join). */
  packetsPerSecond: number;
  workerCpuSeconds: number | null;
  serverCpuSeconds: number | null;
  workerRssStartMiB: number | null;
  workerRssPeakMiB: number | null;
}

export interface ForwardingCost {
  window: 'steady' | 'run';
  seconds: number | null;
  packetsForwarded: number;
  packetsPerSecond: number;
  /** SFU workers' CPU per forwarded packet (receiving the publishers' packets included). */
  workerUsPerPacket: number | null;
  /** Workers and the Node process together. */
  serverUsPerPacket: number | null;
  /** Forwarded packets per second one core would carry at the workers' cost. */
  packetsPerCoreSecond: number | null;
  /** Subscribers of this run's streams one worker core would carry at that cost. */
  subscribersPerCore: number | null;
  /** The workers' RSS growth from before the joins to the run's peak, per subscriber. */
  workerRssKiBPerSubscriber: number | null;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function forwardingCost(x: ForwardingInputs): ForwardingCost | null {
  if (x.packetsForwarded === 0 || x.subscribers === 0 || x.packetsPerSecond <= 0) return null;
  const perPacket = (cpu: number | null) => (cpu === null ? null : round((cpu * 1e6) / x.packetsForwarded));
  const workerUs = perPacket(x.workerCpuSeconds);
  const perSubscriber = x.packetsPerSecond / x.subscribers;
  const perCore = workerUs === null || workerUs === 0 ? null : 1e6 / workerUs;
  return {
    window: x.window,
    seconds: x.seconds,
    packetsForwarded: x.packetsForwarded,
    packetsPerSecond: round(x.packetsPerSecond, 0),
    workerUsPerPacket: workerUs,
    serverUsPerPacket:
      x.workerCpuSeconds === null || x.serverCpuSeconds === null
        ? null
        : perPacket(x.workerCpuSeconds + x.serverCpuSeconds),
    packetsPerCoreSecond: perCore === null ? null : round(perCore, 0),
    subscribersPerCore: perCore === null ? null : round(perCore / perSubscriber, 0),
    workerRssKiBPerSubscriber:
      x.workerRssStartMiB === null || x.workerRssPeakMiB === null
        ? null
        : round(((x.workerRssPeakMiB - x.workerRssStartMiB) * 1024) / x.subscribers, 0),
  };
}
