import { z } from 'zod';
import { startConferProcess } from '../test/support/confer-process';
import { freePort } from '../test/support/free-port';
import {
  CHAT_LOAD_BUDGETS,
  bareRelayTarget,
  conferTarget,
  durableRelayTarget,
  type ChatTarget,
} from './chat-load';
import { testerClient } from './chat-share';
import { startRelay } from './relay-process';

/**
 * The servers the chat tools compare (bench/chat-variants.ts, bench/chat-interleaved.ts): the bare
 * and the durable relays, and Confer set up in several ways.
 *
 * A variant is `name` or `name:SETTING=value,--v8-flag,...`: settings go into the server's
 * environment (app/config.ts), flags on node's command line after the server's own. For example
 * `base read-models-linger:READ_MODELS_LINGER_MS=200 no-pretenuring:--no-allocation-site-pretenuring`.
 */
export const ChatVariant = z
  .string()
  .regex(/^[\w.-]+(:.+)?$/, 'a variant is name or name:SETTING=value,--flag,...')
  .transform((text) => {
    const [name, list = ''] = text.split(/:(.*)/s);
    const items = list.split(',').filter((item) => item.length > 0);
    const env: Record<string, string> = {};
    const nodeFlags: string[] = [];
    for (const item of items) {
      if (item.startsWith('--')) nodeFlags.push(item);
      else {
        const [key, value] = item.split(/=(.*)/s);
        env[key!] = value ?? '';
      }
    }
    return { name: name!, env, nodeFlags };
  })
  .refine(({ env }) => Object.keys(env).every((key) => /^[A-Z][A-Z0-9_]*$/.test(key)), {
    message: 'a setting is NAME=value, NAME in capitals as app/config.ts spells it',
  })
  .refine(({ name }) => name !== 'relay' && name !== 'durable relay', {
    message: '"relay" and "durable relay" name the baselines',
  });
export type ChatVariant = z.infer<typeof ChatVariant>;

/**
 * A chat tool's command line: four figures, then its variants, each named once. Anything else is
 * told on stderr, naming the argument, and the process exits with code 2.
 */
/**
 * A chat tool's `--name=<value>` option, out of `argv` (which loses it): its value through
 * `schema`, or `fallback` when absent; a value the schema refuses exits 2 naming the option.
 */
export function takeChatToolFlag<T>(
  tool: string,
  argv: string[],
  name: string,
  schema: z.ZodType<T>,
  fallback: unknown,
): T {
  const at = argv.findIndex((a) => a.startsWith(`--${name}=`));
  const given = at === -1 ? fallback : argv.splice(at, 1)[0]!.slice(name.length + 3);
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data;
  process.stderr.write(`${tool}: --${name}: ${parsed.error.issues[0]!.message}\n`);
  return process.exit(2);
}

export function parseChatToolArgs<T extends readonly [...unknown[], ChatVariant[]]>(
  tool: string,
  schema: z.ZodType<T>,
  names: readonly string[],
  argv: readonly string[],
): T {
  const refuse = (message: string): never => {
    process.stderr.write(`${tool}: ${message}\n`);
    process.exit(2);
  };
  const parsed = schema.safeParse([...argv.slice(0, 4), argv.slice(4)]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return refuse(`${names[Number(issue.path[0])]}: ${issue.message}`);
  }
  const variants = parsed.data[parsed.data.length - 1] as ChatVariant[];
  if (new Set(variants.map((v) => v.name)).size !== variants.length)
    refuse('variants: each needs a name of its own');
  try {
    testerClient();
  } catch (error) {
    refuse((error as Error).message);
  }
  return parsed.data;
}

export interface ChatServer {
  name: string;
  pid: number;
  target: ChatTarget;
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the bare relay, the durable relay and one Confer process per variant, in that order,
 * onto `servers` as each comes up (so that the caller stops whatever did start if one fails).
 */
export async function startChatServers(
  variants: readonly ChatVariant[],
  servers: ChatServer[],
  options: { secondBareRelay?: boolean; durableRelay?: boolean } = {},
): Promise<void> {
  const startRelayServer = async (script: string, name: string, target: (url: string) => ChatTarget) => {
    const relay = await startRelay(script);
    servers.push({
      name,
      pid: relay.pid,
      target: target(relay.url),
      metricsUrl: `${relay.url}/metrics`,
      stop: async () => relay.stop(),
    });
  };
  await startRelayServer('bench/bare-relay-server.ts', 'relay', bareRelayTarget);
  if (options.durableRelay !== false)
    await startRelayServer('bench/durable-relay-server.ts', 'durable relay', durableRelayTarget);
  for (const variant of variants) {
    const metricsPort = await freePort();
    const confer = await startConferProcess(
      { ...CHAT_LOAD_BUDGETS, LOG_LEVEL: 'warn', METRICS_PORT: String(metricsPort), ...variant.env },
      { nodeFlags: variant.nodeFlags },
    );
    servers.push({
      name: variant.name,
      pid: confer.process.pid,
      target: conferTarget(confer.url),
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      stop: () => confer.dispose(),
    });
  }
  // A control: the same bare relay again, last, so that what the method itself adds to a
  // server's figures (its place in the turns, the others' background work) shows.
  if (options.secondBareRelay)
    await startRelayServer('bench/bare-relay-server.ts', 'relay again', (url) =>
      bareRelayTarget(url, 'relay again'),
    );
}
