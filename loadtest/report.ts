import { z } from 'zod';

/** The load test's report: printed as tables, or as this JSON with --json (the schema is its contract). */

const Percentiles = z.object({
  count: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable().optional(),
  p99: z.number().nullable().optional(),
});

const MediaRow = z.object({
  /** Publishers' outbound RTP (every simulcast layer). */
  packetsSent: z.number(),
  sentKbps: z.number(),
  /** Lost between publisher and SFU, from the SFU's RTCP receiver reports. */
  lossUpstreamPct: z.number().nullable(),
  /** Subscribers' inbound RTP. */
  packetsReceived: z.number(),
  receivedKbps: z.number(),
  /** Lost between SFU and subscribers (RTP sequence gaps counted by the receivers). */
  lossDownstreamPct: z.number().nullable(),
});

const Usage = z.object({
  cpuCores: z.number().nullable(),
  cpuSeconds: z.number().nullable(),
  rssMiB: z.number().nullable(),
  peakRssMiB: z.number().nullable(),
});

export const LoadTestReportSchema = z.object({
  target: z.string(),
  startedAt: z.string(),
  seconds: z.number(),
  settings: z.object({
    meetings: z.number(),
    publishersPerMeeting: z.number(),
    subscribersPerMeeting: z.number(),
    /**
     * Subscribers per meeting that decode video (libwebrtc); the rest receive without decoding
     * (werift). Reports written before the option existed had every subscriber decode.
     */
    decodersPerMeeting: z.number().nullable().default(null),
    /** Threads beside the main one carrying the subscribers that do not decode (--threads). */
    subscriberThreads: z.number().default(0),
    resolution: z.string(),
    simulcast: z.boolean(),
    audioOnly: z.boolean(),
    speakers: z.number(),
    chatPerSecondPerMeeting: z.number(),
    joinsPerSecond: z.number(),
  }),
  clients: z.object({ planned: z.number(), joined: z.number(), failed: z.number(), withMedia: z.number() }),
  media: z.object({
    audio: MediaRow,
    video: MediaRow,
    total: MediaRow,
    /**
     * Clients' peer connections by the SRTP suite they negotiated (libwebrtc's names): the SFU's
     * cost per packet depends on it, and browsers negotiate AEAD_AES_256_GCM with Confer where
     * libwebrtc builds without GCM (this tester's) take AES_CM_128_HMAC_SHA1_80. Absent from
     * reports written before it was added.
     */
    srtpCiphers: z.record(z.string(), z.number()).default({}),
  }),
  joinMs: Percentiles,
  firstMediaMs: Percentiles,
  /** Capture → decoded frame at a subscriber, from send times stamped into the pixels. */
  videoLatencyMs: Percentiles.extend({ unreadableFrames: z.number() }),
  chat: z.object({
    sent: z.number(),
    delivered: z.number(),
    latencyMs: Percentiles,
    ackMs: Percentiles,
  }),
  resources: z.object({
    server: Usage.extend({ source: z.string() }),
    sfuWorkers: Usage.extend({ workers: z.number(), rssAtStartMiB: z.number().nullable() }).nullable(),
    /**
     * eventLoopBusy: the share of the run the tester's JavaScript thread was busy (Node's event
     * loop utilisation), where signaling and the werift subscribers run: near 1, the tester
     * itself queues and drops, whatever its process CPU says. Absent from older reports.
     */
    tester: Usage.extend({ eventLoopBusy: z.number().nullable().default(null) }),
    sfuObjects: z.record(z.string(), z.number()),
    notes: z.array(z.string()),
    /**
     * CPU over the steady part of the run: from a few seconds after the last join to the end.
     * Null when the run was too short to have one (and in reports written before it was added).
     */
    steady: z
      .object({
        seconds: z.number(),
        serverCpuSeconds: z.number().nullable(),
        workerCpuSeconds: z.number().nullable(),
        testerCpuSeconds: z.number(),
      })
      .nullable()
      .default(null),
  }),
  /**
   * What forwarding cost the server (loadtest/forwarding-cost.ts): CPU per packet the subscribers
   * received (over the steady window when there is one), packets and subscribers per core at that cost, the workers' RSS growth per
   * subscriber. Null when nothing was forwarded.
   */
  forwarding: z
    .object({
      /**
       * What the figures are over: the steady window (joins, DTLS handshakes and key frames left
       * out, as LiveKit's tester measures), or the whole run when it was too short to have one.
       */
      window: z.enum(['steady', 'run']).default('run'),
      seconds: z.number().nullable().default(null),
      packetsForwarded: z.number(),
      packetsPerSecond: z.number(),
      workerUsPerPacket: z.number().nullable(),
      serverUsPerPacket: z.number().nullable(),
      packetsPerCoreSecond: z.number().nullable(),
      subscribersPerCore: z.number().nullable(),
      workerRssKiBPerSubscriber: z.number().nullable(),
    })
    .nullable(),
  errors: z.array(z.object({ code: z.string(), count: z.number(), example: z.string() })),
  cleanup: z.object({
    meetingsEnded: z.number(),
    meetingsCreated: z.number(),
    meetingIds: z.array(z.string()),
  }),
});

export type LoadTestReport = z.infer<typeof LoadTestReportSchema>;
export type MediaRowView = z.infer<typeof MediaRow>;
