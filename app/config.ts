import { z } from 'zod';

/**
 * The whole configuration: one zod schema over environment variables, parsed once at start.
 * No other file reads process.env. Every problem is reported at once, naming the variable.
 */
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const port = z.coerce.number().int().min(0).max(65535);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

export const EnvSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    PUBLIC_URL: z.url().optional(),
    NODE_ID: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    AUTH_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(12 * 3600),

    EVENT_STORE: z.enum(['sqlite', 'postgres', 'eventstoredb']).default('sqlite'),
    EVENT_STORE_URL: z.string().min(1).optional(),
    PROJECTION_STORE: z.enum(['sqlite', 'postgres']).default('sqlite'),
    PROJECTION_STORE_URL: z.string().min(1).optional(),
    BUS: z.enum(['in-process', 'kafka']).default('in-process'),
    KAFKA_BROKERS: list.optional(),
    KAFKA_TOPIC: z.string().min(1).default('confer.meeting-events.v1'),
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
    KAFKA_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /**
     * The forwarder hands Kafka a batch at most this often under load (0: as soon as it can). Off by
     * default: at 1,000 events/s it moved neither CPU nor latency beyond the runs' noise (docs/capacity.md).
     */
    KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(0),

    /** Analysts' stream: chat text is left out of the records unless this allows it. */
    ANALYTICS_CHAT_CONTENT: bool.default(false),
    /** With BUS=kafka: the topic analysts' records are published to (keyed by meeting id). */
    KAFKA_ANALYTICS_TOPIC: z.string().min(1).default('confer.analytics.v1'),

    /**
     * How often socket.io checks that each client is still there (ms), and how long it waits for
     * the answer: a client gone without closing its connection counts as disconnected after at most
     * their sum, and its reconnection grace starts then.
     */
    SOCKET_PING_INTERVAL_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
    SOCKET_PING_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
    SOCKET_RATE_PER_SECOND: z.coerce.number().int().min(1).default(20),
    SOCKET_RATE_BURST: z.coerce.number().int().min(1).default(40),
    /** All participants and connections of one client address together (offices behind NAT share one). */
    SOCKET_RATE_PER_ADDRESS_PER_SECOND: z.coerce.number().int().min(1).default(200),
    SOCKET_RATE_PER_ADDRESS_BURST: z.coerce.number().int().min(1).default(400),
    /** Connection attempts to the socket endpoints (socket.io and plain WebSocket) per address. */
    SOCKET_CONNECTS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    HTTP_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Proxies whose X-Forwarded-For is believed (IPs or CIDRs); none by default. */
    TRUSTED_PROXIES: list
      .pipe(z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]).or(z.literal('loopback'))))
      .optional(),
    /** Serve /metrics on this port only (no credential); unset: on the main port, operators only. */
    METRICS_PORT: port.optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    RECONNECT_GRACE_SECONDS: z.coerce.number().min(0).default(30),

    MEDIA: bool.default(true),
    MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    MEDIA_LISTEN_IP: z.ipv4().or(z.ipv6()).default('0.0.0.0'),
    MEDIA_ANNOUNCED_IP: z.string().min(1).optional(),
    MEDIA_RTC_MIN_PORT: port.default(40000),
    MEDIA_RTC_MAX_PORT: port.default(49999),
    MEDIA_CONSUMERS_PER_WORKER: z.coerce.number().int().min(10).default(500),
    MEDIA_PARTICIPANTS_PER_NODE: z.coerce.number().int().min(1).max(10_000).default(100),
    MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
    TURN_URLS: list.optional(),
    TURN_SECRET: z.string().min(1).optional(),
    TURN_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
    STUN_URLS: list.optional(),

    /** Ed25519 private key signing audit checkpoints (PEM or base64 PKCS#8); default: made in DATA_DIR. */
    AUDIT_SIGNING_KEY: z.string().min(1).optional(),
    /** A running meeting's chain head is signed at most this often (and at its end). */
    AUDIT_CHECKPOINT_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    /** Recording files: `local` under DATA_DIR/objects (embedded default), or an S3(-compatible) bucket. */
    OBJECT_STORE: z.enum(['local', 's3']).default('local'),
    S3_ENDPOINT: z.url().optional(),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_FORCE_PATH_STYLE: bool.default(false),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    RECORDING: bool.default(true),
    /** Run the read models (projections) on a worker thread of their own, off the event loop. */
    READ_MODELS_THREAD: bool.default(true),
    /**
     * A full garbage collection when the event loop has been idle for 3 s and the old generation
     * grew 64 MiB since the last one (app/idle-gc.ts), so that the next one under load comes much
     * later. Needs node's `--expose-gc`, which `npm start` passes (app/node-flags.ts).
     */
    GC_WHEN_IDLE: bool.default(true),
    /**
     * Under load, the read models' thread is handed a batch at most this often (0: at once): fewer,
     * larger transactions, at the price of REST views up to this much later than the broadcasts.
     */
    READ_MODELS_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(20),
    /** The most events the read models' thread applies in one transaction. */
    READ_MODELS_BATCH: z.coerce.number().int().min(1).max(20_000).default(250),
    /**
     * The read models' thread's niceness (0–19, as `nice`) where it feeds itself (the event store
     * on SQLite and the in-process bus; Kafka): when the cores are all busy, commands, broadcasts
     * and media go first and the REST views and the analysts' log catch up after. Where the
     * server hands it the batches (PostgreSQL without Kafka) broadcasts wait for it, so it keeps 0.
     */
    READ_MODELS_NICENESS: z.coerce.number().int().min(0).max(19).default(19),
    /**
     * With a niceness above 0, the read models' thread also runs under Linux's SCHED_IDLE policy:
     * it takes only a core nobody else wants, and gives it up the moment the event loop, the
     * store's writer or the SFU wakes (a niceness alone lets it finish its slice first).
     */
    READ_MODELS_IDLE_POLICY: bool.default(true),
    /** How long a recording's download URL stays valid. */
    RECORDING_URL_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(3600),
    /** A recording still `recording` this long after its last stored segment, or `processing` this long, is swept. */
    RECORDING_STALE_SECONDS: z.coerce.number().int().min(30).default(900),
    FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
    FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  })
  .superRefine((env, ctx) => {
    const need = (cond: boolean, key: string, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: [key], message });
    };
    need(
      env.EVENT_STORE !== 'sqlite' && !env.EVENT_STORE_URL,
      'EVENT_STORE_URL',
      `required when EVENT_STORE=${env.EVENT_STORE}`,
    );
    need(
      env.PROJECTION_STORE === 'postgres' && !env.PROJECTION_STORE_URL,
      'PROJECTION_STORE_URL',
      'required when PROJECTION_STORE=postgres',
    );
    need(env.BUS === 'kafka' && !env.KAFKA_BROKERS?.length, 'KAFKA_BROKERS', 'required when BUS=kafka');
    need(!!env.TURN_URLS?.length && !env.TURN_SECRET, 'TURN_SECRET', 'required when TURN_URLS is set');
    need(env.OBJECT_STORE === 's3' && !env.S3_BUCKET, 'S3_BUCKET', 'required when OBJECT_STORE=s3');
    need(
      !!env.S3_ACCESS_KEY_ID !== !!env.S3_SECRET_ACCESS_KEY,
      env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together',
    );
    need(
      env.MEDIA_RTC_MIN_PORT > env.MEDIA_RTC_MAX_PORT,
      'MEDIA_RTC_MIN_PORT',
      'must not exceed MEDIA_RTC_MAX_PORT',
    );
  });

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  publicUrl: string;
  nodeId: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset", as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.') || '(environment)';
        const value = typeof issue.path[0] === 'string' ? present[issue.path[0]] : undefined;
        return `${key}: ${issue.message}${value !== undefined ? ` (got ${JSON.stringify(value)})` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return { ...e, publicUrl, nodeId: e.NODE_ID ?? `node-${e.PORT}` };
}
