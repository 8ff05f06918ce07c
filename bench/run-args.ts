import { parseArgs } from 'node:util';
import { z } from 'zod';

/** The sections `--only=` may name, in the order a plain run takes them (the soak only when named). */
export const SECTIONS = [
  'store',
  'event-ids',
  'bus',
  'chat',
  'read-models',
  'deployments',
  'kafka',
  'media',
  'forwarding',
  'memory',
  'loadtest-forwarding',
  'livekit',
  'browser',
  'effects',
  'audit',
  'slow-group',
  'analytics',
  'recording',
  'soak',
] as const;
export type Section = (typeof SECTIONS)[number];

/**
 * A value as the terminal should show it: quoted, with control and format characters (bidi
 * overrides, zero-width joiners) escaped, so an argument cannot reorder or hide the message.
 */
export function shown(value: unknown): string {
  return visible(JSON.stringify(value) ?? String(value));
}

/** Control and format characters written as `\uXXXX`. */
const visible = (text: string): string =>
  text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);

/** A command line `npm run bench` cannot run: the message names the option. */
export class BenchArgsError extends Error {
  override name = 'BenchArgsError';
}

/** A whole number in a range from an option's text, one message for every way of missing it. */
const whole = (min: number, max: number) => {
  const message = `a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

const Sections = z
  .string()
  .transform((list) => list.split(',').map((name) => name.trim()))
  .pipe(
    z.array(
      z.enum(SECTIONS, {
        error: (issue) => `no section named ${shown(issue.input)} (sections: ${SECTIONS.join(', ')})`,
      }),
    ),
  );

const SUBSCRIBERS = 'whole numbers from 1 to 499, comma-separated (a meeting holds 500 with the publisher)';

/** Every option, checked before anything starts: a typo never costs an hour of benchmarks. */
const Schema = z.object({
  quick: z.boolean(),
  only: Sections.optional(),
  'event-ids-total': whole(1_000, 5_000_000).optional(),
  'chat-rounds': whole(1, 10).default(1),
  'chat-seconds': whole(1, 300).optional(),
  'chat-tester-threads': whole(1, 8).default(2),
  'chat-send-tick-ms': whole(1, 100).default(10),
  'chat-send-order': z
    .enum(['by-meeting', 'shuffled'], { error: 'by-meeting or shuffled' })
    .default('by-meeting'),
  'chat-window-seconds': whole(1, 60).default(5),
  'chat-large-only': z.boolean(),
  'chat-pin-tester': z.boolean(),
  'kafka-rounds': whole(1, 10).optional(),
  'kafka-jvm': z.enum(['test', 'as-shipped'], { error: 'test or as-shipped' }).default('test'),
  'forwarding-subscribers': z
    .string()
    .transform((list) => list.split(',').map((n) => (n.trim() === '' ? NaN : Number(n))))
    .pipe(
      z.array(z.number({ error: SUBSCRIBERS }).int(SUBSCRIBERS).min(1, SUBSCRIBERS).max(499, SUBSCRIBERS)),
    )
    .optional(),
  'forwarding-decoders': whole(0, 499).default(0),
  'forwarding-threads': whole(0, 64).default(1),
  'soak-minutes': z.coerce
    .number({ error: 'a number of minutes from 1 to 60' })
    .min(1, 'a number of minutes from 1 to 60')
    .max(60, 'a number of minutes from 1 to 60')
    .default(30),
});

const STRING = { type: 'string' } as const;
const FLAG = { type: 'boolean', default: false } as const;
const OPTIONS = {
  quick: FLAG,
  only: STRING,
  'event-ids-total': STRING,
  'chat-rounds': STRING,
  'chat-seconds': STRING,
  'chat-tester-threads': STRING,
  'chat-send-tick-ms': STRING,
  'chat-send-order': STRING,
  'chat-window-seconds': STRING,
  'chat-large-only': FLAG,
  'chat-pin-tester': FLAG,
  'kafka-rounds': STRING,
  'kafka-jvm': STRING,
  'forwarding-subscribers': STRING,
  'forwarding-decoders': STRING,
  'forwarding-threads': STRING,
  'soak-minutes': STRING,
} as const;

export interface BenchArgs {
  quick: boolean;
  /** Undefined: every section but the soak. */
  only: Section[] | undefined;
  eventIdsTotal: number;
  chat: {
    rounds: number;
    seconds: number;
    testerThreads: number;
    sendTickMs: number;
    sendOrder: 'by-meeting' | 'shuffled';
    windowSeconds: number;
    largeOnly: boolean;
    pinTester: boolean;
  };
  kafka: { rounds: number; jvm: 'test' | 'as-shipped' };
  forwarding: { counts: number[] | undefined; decoders: number; threads: number };
  soakMinutes: number;
}

/**
 * `npm run bench`'s command line (`argv` without node and the script): an unknown option, a
 * missing value or one out of range throws a BenchArgsError naming the option.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // node's own message (unknown option, missing value) quotes the option as typed.
    throw new BenchArgsError(visible((error as Error).message));
  }
  const parsed = Schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const option = String(issue.path[0]);
    throw new BenchArgsError(`--${option}: ${issue.message} (got ${shown(values[option])})`);
  }
  const a = parsed.data;
  return {
    quick: a.quick,
    only: a.only,
    eventIdsTotal: a['event-ids-total'] ?? (a.quick ? 40_000 : 200_000),
    chat: {
      rounds: a['chat-rounds'],
      seconds: a['chat-seconds'] ?? (a.quick ? 4 : 10),
      testerThreads: a['chat-tester-threads'],
      sendTickMs: a['chat-send-tick-ms'],
      sendOrder: a['chat-send-order'],
      windowSeconds: a['chat-window-seconds'],
      largeOnly: a['chat-large-only'],
      pinTester: a['chat-pin-tester'],
    },
    kafka: { rounds: a['kafka-rounds'] ?? (a.quick ? 1 : 3), jvm: a['kafka-jvm'] },
    forwarding: {
      counts: a['forwarding-subscribers'],
      decoders: a['forwarding-decoders'],
      threads: a['forwarding-threads'],
    },
    soakMinutes: a['soak-minutes'],
  };
}
