import pLimit from 'p-limit';
import type { MeetingCommand } from '../../domain/meeting/meeting.commands';
import type { Connection, ConnectionHub } from './connection';
import type { GatewayContext } from './gateway-context';

/** What the grace periods use of the gateway. */
export type GraceContext = Pick<
  GatewayContext,
  'commands' | 'media' | 'logger' | 'nodeId' | 'reconnectGraceMs'
> & {
  hub: Pick<ConnectionHub, 'ofParticipant'>;
};

/**
 * Grace periods ended at once are settled this many at a time. A node's sockets dropping
 * together (its network, the load tester's 5,000 leaving at once) ends their grace periods in the
 * same instant; all settled together, they held every meeting's chat on the node for a second.
 */
export const EXPIRIES_AT_ONCE = 16;
/**
 * The same drop first records every participant as `reconnecting`, as many commands at once:
 * recorded this many at a time, for the same reason.
 */
export const DISCONNECTIONS_AT_ONCE = 16;

/**
 * A participant whose last connection here dropped is `reconnecting` for a grace period; still
 * gone after it (and not back through another node), they have left.
 */
export function createReconnectGrace(
  ctx: GraceContext,
  options: { expiriesAtOnce?: number; disconnectionsAtOnce?: number } = {},
) {
  const timers = new Map<string, NodeJS.Timeout>();
  const expiries = pLimit(options.expiriesAtOnce ?? EXPIRIES_AT_ONCE);
  const disconnections = pLimit(options.disconnectionsAtOnce ?? DISCONNECTIONS_AT_ONCE);
  const key = (meetingId: string, participantId: string) => `${meetingId}/${participantId}`;
  let closing = false;

  function cancel(meetingId: string, participantId: string): void {
    const k = key(meetingId, participantId);
    const timer = timers.get(k);
    if (timer) clearTimeout(timer);
    timers.delete(k);
  }

  function start(meetingId: string, participantId: string): void {
    cancel(meetingId, participantId);
    const timer = setTimeout(() => {
      timers.delete(key(meetingId, participantId));
      void expiries(() => expire(meetingId, participantId));
    }, ctx.reconnectGraceMs);
    timer.unref();
    timers.set(key(meetingId, participantId), timer);
  }

  async function expire(meetingId: string, participantId: string): Promise<void> {
    try {
      ctx.commands.invalidate(meetingId);
      const { state } = await ctx.commands.load(meetingId);
      const self = state.participants[participantId];
      if (self?.connectionStatus !== 'reconnecting') return;
      const actor = { type: 'system', reason: 'reconnect-grace-expired' } as const;
      // Decided on the stream, so that a reconnection through another node meanwhile wins.
      const command: MeetingCommand =
        self.connectedNode === null
          ? { type: 'LeaveMeeting', participantId, reason: 'disconnected' }
          : { type: 'SweepLostConnection', participantId, nodeId: ctx.nodeId, leave: true };
      await ctx.commands.handle(meetingId, command, { actor });
    } catch (error) {
      ctx.logger.warn(
        { err: error, meetingId, participantId },
        'could not expire a disconnected participant',
      );
    }
  }

  /** A connection ended: if it was the participant's last one here, start their grace period. */
  async function disconnected(connection: Pick<Connection, 'identity' | 'evicted'>): Promise<void> {
    if (connection.evicted || !lastHere(connection)) return;
    await disconnections(() => recordDisconnection(connection));
  }

  // This node is stopping (it has left the registry): the presence sweeper records its
  // participants as disconnected; the store may already be closed under this handler.
  const lastHere = ({ identity }: Pick<Connection, 'identity'>) =>
    !closing && ctx.hub.ofParticipant(identity.meetingId, identity.participantId).length === 0;

  async function recordDisconnection(connection: Pick<Connection, 'identity'>): Promise<void> {
    // Waited behind others: the participant may be back by now, or the node stopping.
    if (!lastHere(connection)) return;
    const { meetingId, participantId } = connection.identity;
    try {
      await ctx.media?.participantDisconnected(meetingId, participantId);
      const { state } = await ctx.commands.load(meetingId);
      const self = state.participants[participantId];
      if (state.status !== 'active' || !self || (self.status !== 'joined' && self.status !== 'waiting'))
        return;
      await ctx.commands.handle(
        meetingId,
        { type: 'SetConnectionStatus', participantId, connectionStatus: 'reconnecting', nodeId: ctx.nodeId },
        { actor: { type: 'system', reason: 'socket-disconnected' } },
      );
      start(meetingId, participantId);
    } catch (error) {
      ctx.logger.warn({ err: error, meetingId, participantId }, 'could not record a disconnection');
    }
  }

  return {
    connected: (connection: Connection) =>
      cancel(connection.identity.meetingId, connection.identity.participantId),
    disconnected,
    close(): void {
      closing = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      expiries.clearQueue();
      disconnections.clearQueue();
    },
  };
}
