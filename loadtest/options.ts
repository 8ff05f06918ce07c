import { z } from 'zod';

/**
 * The load tester's options, as the CLI receives them (strings) and as the run uses them.
 * Every problem names its option (`--meetings: …`), so a typo is fixed in one look.
 */

const RESOLUTIONS = {
  low: { width: 320, height: 180 },
  medium: { width: 640, height: 360 },
  high: { width: 1280, height: 720 },
} as const;

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const rate = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `must be a number from 0 to ${max}`)
    .transform(Number)
    .pipe(z.number().min(0).max(max, `must be at most ${max}`));

/** `30s`, `2m`, `1500ms`, or plain seconds; between 2 s and 1 h (a load test ends by itself). */
const duration = z
  .string()
  .trim()
  .regex(/^\d{1,7}(ms|s|m)?$/, 'expected a number with a unit: 1500ms, 30s or 2m')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m)?$/.exec(v)!;
    return Number(n) * (unit === 'ms' ? 1 : unit === 'm' ? 60_000 : 1000);
  })
  .pipe(z.number().min(2000, 'must be at least 2s').max(3_600_000, 'must be at most 60m'));

const resolution = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v in RESOLUTIONS) return RESOLUTIONS[v as keyof typeof RESOLUTIONS];
    const match = /^(\d{2,4})x(\d{2,4})$/.exec(v);
    const width = Number(match?.[1]);
    const height = Number(match?.[2]);
    // Even sizes: I420 halves both for its colour planes.
    if (!match || width < 64 || height < 64 || width > 1920 || height > 1080 || width % 2 || height % 2) {
      ctx.addIssue({
        code: 'custom',
        message: 'expected low, medium, high or WIDTHxHEIGHT (even, 64x64 to 1920x1080)',
      });
      return z.NEVER;
    }
    return { width, height };
  });

const url = z
  .string()
  .trim()
  .transform((v, ctx) => {
    try {
      const parsed = new URL(v);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
      return parsed.origin;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected an http(s) URL such as http://127.0.0.1:3000' });
      return z.NEVER;
    }
  });

/** The largest meeting the server allows (protocol/rest.ts, maxParticipants). */
const MAX_MEETING_SIZE = 500;

/** What commander hands over: every value still a string (or a flag). */
export const LoadTestArgsSchema = z
  .object({
    url: url.default('http://127.0.0.1:3000'),
    meetings: int(1, 1000).default(1),
    publishers: int(0, 50).default(1),
    subscribers: int(0, 500).default(2),
    decoders: int(0, 500).default(8),
    threads: int(0, 64).default(0),
    duration: duration.default(30_000),
    resolution: resolution.default(RESOLUTIONS.low),
    simulcast: z.boolean().default(true),
    audioOnly: z.boolean().default(false),
    speakers: int(0, 50).default(1),
    chatRate: rate(100).default(1),
    joinRate: rate(100).pipe(z.number().min(0.1, 'must be at least 0.1 (joins per second)')).default(5),
    json: z.boolean().default(false),
    allowRemote: z.boolean().default(false),
    operatorToken: z.string().trim().min(1).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.publishers + o.subscribers < 1)
      ctx.addIssue({ code: 'custom', path: ['publishers'], message: 'a meeting needs at least one client' });
    if (o.speakers > o.publishers && o.publishers > 0)
      ctx.addIssue({ code: 'custom', path: ['speakers'], message: 'cannot exceed --publishers' });
    if (o.publishers + o.subscribers > MAX_MEETING_SIZE)
      ctx.addIssue({
        code: 'custom',
        path: ['subscribers'],
        message: `${o.publishers + o.subscribers} clients per meeting (--publishers + --subscribers); a meeting holds at most ${MAX_MEETING_SIZE}`,
      });
    const clients = o.meetings * (o.publishers + o.subscribers);
    if (clients > 2000)
      ctx.addIssue({
        code: 'custom',
        path: ['meetings'],
        message: `${clients} clients in all (--meetings × (--publishers + --subscribers)); at most 2000`,
      });
  });

export type LoadTestOptions = z.output<typeof LoadTestArgsSchema>;
export type LoadTestArgs = z.input<typeof LoadTestArgsSchema>;

/** camelCase key → the option a person typed. */
const flag = (key: PropertyKey | undefined) =>
  `--${String(key ?? 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export class LoadTestArgumentError extends Error {
  override readonly name = 'LoadTestArgumentError';
}

/** Parses the CLI's values; throws LoadTestArgumentError with one line per problem, each naming its option. */
export function parseLoadTestArgs(args: LoadTestArgs): LoadTestOptions {
  const result = LoadTestArgsSchema.safeParse(args);
  if (!result.success)
    throw new LoadTestArgumentError(
      result.error.issues
        .map((issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown option ${issue.keys.map(flag).join(', ')}`
            : `${flag(issue.path[0])}: ${issue.message}`,
        )
        .join('\n'),
    );
  return result.data;
}

/** Loopback only, unless the operator says otherwise: a load test aimed at production by mistake hurts. */
export function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function assertTargetAllowed(origin: string, allowRemote: boolean, what = '--url'): void {
  if (!allowRemote && !isLoopback(origin))
    throw new LoadTestArgumentError(
      `${what}: ${new URL(origin).host} is not on loopback; pass --allow-remote to load-test another machine`,
    );
}
