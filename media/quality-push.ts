import type { Logger } from 'pino';
import type { MeetingCommandHandler } from '../domain/meeting/meeting.handler';
import type { NodeLinks } from '../protocol/node-link.port';
import type { ConnectionQuality } from '../protocol/signaling';
import { qualityLinkServer, readRemoteQuality } from './cascade/quality-link';
import type { Peer } from './peer';
import { measureRoomSamples, summarizeRoom, type QualitySample } from './quality';
import { QualityFanout } from './quality-fanout';
import type { Room } from './room';

type Figures = Record<string, ConnectionQuality>;

export interface QualityPushDeps {
  rooms(): Iterable<[meetingId: string, room: Room]>;
  nodeId: string;
  /** Other nodes of a cascaded meeting measure their own people: their figures are asked for. */
  links?: NodeLinks | undefined;
  /** The meeting's state, to know which other nodes carry its people. */
  commands: Pick<MeetingCommandHandler, 'load'>;
  intervalMs: number;
  logger: Logger;
  /** This node's raw measurements (the analytics pipeline's quality samples). */
  onQuality?: ((meetingId: string, samples: Record<string, QualitySample>) => void) | undefined;
}

export interface QualityPush {
  /** The room closed here: its figures go. */
  forget(meetingId: string): void;
  stop(): void;
}

/** A client that starts over (a reload) opens a new receiving transport: its id marks the session. */
const receivingSession = (peer: Peer): string =>
  [...peer.transports.entries()].findLast(([, t]) => t.direction === 'recv')?.[0] ?? '';

/**
 * Every `intervalMs`, measures each room's people on this node and tells them everyone's
 * connection quality (`media:quality`, through a QualityFanout: the whole room once, then what
 * changed). In a meeting cascaded over nodes each node measures only the people whose media it
 * carries, so it also serves its figures to the other nodes (`quality:read`) and shows theirs,
 * read in the background and shown from the next round, so a node that is slow to answer never
 * holds a round back.
 */
export function startQualityPush(deps: QualityPushDeps): QualityPush {
  const fanouts = new WeakMap<Room, QualityFanout<Peer>>();
  const local = new Map<string, Figures>();
  const remote = new Map<string, Figures>();
  const reading = new Set<string>();
  deps.links?.serve(qualityLinkServer((meetingId) => local.get(meetingId)));

  function readOtherNodes(meetingId: string, links: NodeLinks): void {
    if (reading.has(meetingId)) return;
    reading.add(meetingId);
    void (async () => {
      const { state } = await deps.commands.load(meetingId);
      const nodes = Object.values(state.participants)
        .filter((p) => p.status === 'joined')
        .map((p) => p.placedNode?.nodeId)
        .filter((nodeId): nodeId is string => nodeId !== undefined && nodeId !== deps.nodeId);
      const figures = nodes.length > 0 ? await readRemoteQuality(links, meetingId, nodes) : {};
      if (local.has(meetingId)) remote.set(meetingId, figures);
    })()
      .catch((error: unknown) =>
        deps.logger.debug({ err: error, meetingId }, "could not read the other nodes' connection quality"),
      )
      .finally(() => reading.delete(meetingId));
  }

  let measuring = false;
  async function round(): Promise<void> {
    if (measuring) return;
    measuring = true;
    try {
      for (const [meetingId, room] of [...deps.rooms()]) {
        if (room.peers.size === 0) continue;
        const samples = await measureRoomSamples(room.peers.values());
        deps.onQuality?.(meetingId, samples);
        const mine = summarizeRoom(samples);
        local.set(meetingId, mine);
        if (deps.links) readOtherNodes(meetingId, deps.links);
        let fanout = fanouts.get(room);
        if (!fanout) fanouts.set(room, (fanout = new QualityFanout<Peer>()));
        const recipients = [...room.peers.values()].map((peer) => ({
          peer,
          session: receivingSession(peer),
        }));
        // This node's own measurement of its people wins over what another node says of them.
        const everyone = { ...remote.get(meetingId), ...mine };
        for (const [peer, participants] of fanout.round(everyone, recipients, Date.now()))
          peer.channel.emit('media:quality', { participants });
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not measure connection quality');
    } finally {
      measuring = false;
    }
  }

  const timer = deps.intervalMs > 0 ? setInterval(() => void round(), deps.intervalMs) : undefined;
  timer?.unref();
  return {
    forget(meetingId) {
      local.delete(meetingId);
      remote.delete(meetingId);
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
