import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { Clock } from '../domain/ports/clock';
import type { ProjectionReader } from '../domain/ports/projection-store';
import type { Actor } from '../domain/shared/actor';
import { nodesWithPresence, presenceOn, type Presence } from '../projections';
import type { KnownNode, NodeRegistry } from './node-registry';

const PAGE = 200;
/** A late node is judged gone once it has not answered this many looks in a row. */
const SILENT_LOOKS_TO_JUDGE = 2;

export interface PresenceSweeper {
  /** One pass; resolves with the number of participants it recorded something for. */
  sweep(): Promise<number>;
  /** The participants this node carried before it (re)started are not connected any more. */
  sweepOwn(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A node's sockets tell the meeting when someone drops, and its grace timer makes them leave. A
 * node that dies takes both with it, and its participants would stay "connected" for ever. The
 * sweeper (one per deployment, on the lease holder) finds them in the presence read model:
 * people connected through a node that is no longer live are shown reconnecting, and once the
 * grace period has passed without them coming back, they have left. It is also the backstop for
 * a grace timer lost with a restart. Every step is a command decided on the meeting's stream
 * (SweepLostConnection), so someone who came back meanwhile is left alone.
 */
export function createPresenceSweeper(options: {
  store: ProjectionReader;
  registry: Pick<NodeRegistry, 'known'>;
  commands: MeetingCommandHandler;
  clock: Clock;
  logger: Logger;
  selfNodeId: string;
  graceMs: number;
  intervalMs?: number;
  /**
   * The second look at a node whose heartbeat is late: does it still answer (`createNodeProbe`)?
   * Without it, a late heartbeat alone judges the node gone.
   */
  answers?(node: KnownNode): Promise<boolean>;
  /** Each second look and its answer (metrics). */
  onSecondLook?(nodeId: string, answered: boolean): void;
}): PresenceSweeper {
  const { store, registry, commands, clock, logger } = options;
  const intervalMs = options.intervalMs ?? 3000;
  const actor: Actor = { type: 'system', reason: 'presence-sweep' };
  // A node's own grace timer fires first; the sweeper only steps in when it clearly did not.
  const backstopMs = options.graceMs + 2 * intervalMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  /** Nodes late on the registry that still answered when asked (logged once, until they are not). */
  const lateButAnswering = new Set<string>();
  /** Looks in a row a late node did not answer (one look a pass). */
  const silentLooks = new Map<string, number>();

  async function record(nodeId: string, presence: Presence, leave: boolean): Promise<boolean> {
    const { meetingId, participantId } = presence;
    try {
      const result = await commands.handle(
        meetingId,
        { type: 'SweepLostConnection', participantId, nodeId, leave },
        { actor },
      );
      return result.events.length > 0;
    } catch (error) {
      // The meeting may have ended meanwhile: nothing to sweep there.
      logger.debug({ err: error, meetingId, participantId, nodeId }, 'sweep skipped a participant');
      return false;
    }
  }

  /** Everyone filed under `nodeId` (or only those shown reconnecting), page by page. */
  async function* filedUnder(nodeId: string, only?: 'reconnecting'): AsyncGenerator<Presence> {
    for (let cursor: string | undefined; ;) {
      const page = await presenceOn(store, nodeId, {
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
        ...(only ? { only } : {}),
      });
      for (const entry of page) yield entry.presence;
      if (page.length < PAGE) return;
      cursor = page[page.length - 1]?.key;
    }
  }

  /**
   * Gone means late on the registry and silent when asked, twice in a row (one pass apart).
   * Showing a node's people reconnecting also unpublishes their media, so a node that is merely
   * slow to write its heartbeat (a busy store) or to answer once (a long pause) must not be judged
   * by one reading; a node that crashed or hangs stays silent and is judged a pass later.
   */
  async function isGone(nodeId: string, nodes: ReadonlyMap<string, KnownNode>): Promise<boolean> {
    const node = nodes.get(nodeId);
    if (node?.live) {
      lateButAnswering.delete(nodeId);
      silentLooks.delete(nodeId);
      return false;
    }
    // No record at all: the node stopped cleanly and said so. Nothing to ask.
    if (!node || !options.answers) return true;
    const answered = await options.answers(node);
    options.onSecondLook?.(nodeId, answered);
    if (!answered) {
      lateButAnswering.delete(nodeId);
      const silent = (silentLooks.get(nodeId) ?? 0) + 1;
      silentLooks.set(nodeId, silent);
      return silent >= SILENT_LOOKS_TO_JUDGE;
    }
    silentLooks.delete(nodeId);
    if (!lateButAnswering.has(nodeId)) {
      lateButAnswering.add(nodeId);
      logger.warn({ nodeId }, 'node heartbeat is late but the node answers: its participants are left alone');
    }
    return false;
  }

  async function sweep(): Promise<number> {
    const nodes = new Map((await registry.known()).map((n) => [n.nodeId, n]));
    // Not even this node looks live: the registry cannot be read right, so judge nobody.
    if (!nodes.get(options.selfNodeId)?.live) return 0;
    const now = clock.now().getTime();
    let recorded = 0;
    const asked = new Set<string>();
    for (const nodeId of await nodesWithPresence(store)) {
      // Asked once a pass, and only if someone is still shown connected there.
      let gone: boolean | undefined;
      // Nobody connected through a live node is a ghost: only the backstop for the reconnecting
      // ones is left, so a pass reads those alone (everyone there, every pass, was a few thousand
      // documents every 3 s on a node of 5,000 people, and would be all the deployment's people on
      // the lease holder).
      const live = nodes.get(nodeId)?.live === true;
      if (live) gone = await isGone(nodeId, nodes);
      for await (const presence of filedUnder(nodeId, live ? 'reconnecting' : undefined)) {
        const overdue =
          presence.connectionStatus === 'reconnecting' && now - Date.parse(presence.since) >= backstopMs;
        if (presence.connectionStatus === 'connected') asked.add(nodeId);
        const ghost = presence.connectionStatus === 'connected' && (gone ??= await isGone(nodeId, nodes));
        if ((ghost || overdue) && (await record(nodeId, presence, overdue))) recorded++;
      }
    }
    // A node nobody is shown connected through any more is not looked at: forget what was seen of it.
    for (const nodeId of [...silentLooks.keys(), ...lateButAnswering]) {
      if (asked.has(nodeId)) continue;
      silentLooks.delete(nodeId);
      lateButAnswering.delete(nodeId);
    }
    if (recorded > 0) logger.info({ recorded }, 'swept lost connections');
    return recorded;
  }

  return {
    sweep: () => {
      const pass = running.then(sweep);
      running = pass.catch(() => undefined);
      return pass;
    },
    async sweepOwn() {
      let recorded = 0;
      for await (const presence of filedUnder(options.selfNodeId))
        if (presence.connectionStatus === 'connected' && (await record(options.selfNodeId, presence, false)))
          recorded++;
      if (recorded > 0)
        logger.info({ recorded }, 'participants of this node before its restart shown reconnecting');
      return recorded;
    },
    start() {
      timer = setInterval(() => {
        running = running
          .then(sweep)
          .catch((error: unknown) => logger.warn({ err: error }, 'presence sweep failed'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
