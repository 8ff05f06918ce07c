import type { ClientMessage } from '../protocol/signaling';
import type { HandlerContext } from './media-context';
import { withMediaErrors } from './media-errors';
import { parseDtlsParameters, parseRtpCapabilities } from './parameters';

/** media:router-capabilities: what the participant's Device loads. */
export async function routerCapabilities(
  _payload: ClientMessage<'media:router-capabilities'>,
  ctx: HandlerContext,
) {
  // A client that starts its media session again (it reconnected before the server noticed its
  // old socket was gone) gets a clean one: its old transports, producers and consumers are closed
  // and their end recorded, so it can produce again and be told of every producer anew.
  if (ctx.peer.producers.size > 0 || ctx.peer.consumers.size > 0) ctx.peer.closeMedia('disconnected');
  const router = await ctx.room.assignRouter(ctx.peer);
  return { rtpCapabilities: router.rtpCapabilities };
}

/**
 * media:set-rtp-capabilities: the Device's capabilities, needed to consume. Once the participant
 * also has a receive transport, they are told about every producer already in the meeting.
 */
export async function setRtpCapabilities(
  payload: ClientMessage<'media:set-rtp-capabilities'>,
  ctx: HandlerContext,
) {
  ctx.peer.rtpCapabilities = parseRtpCapabilities(payload.rtpCapabilities);
  announceAfterAnswer(ctx);
  return {};
}

/** media:create-transport: a WebRTC transport (UDP preferred, TCP as fallback) on the participant's router. */
export async function createTransport(payload: ClientMessage<'media:create-transport'>, ctx: HandlerContext) {
  const { peer, room, services } = ctx;
  const epoch = peer.epoch;
  const router = await room.assignRouter(peer);
  const tcpOnly = payload.forceTcp === true;
  const transport = await withMediaErrors('direction', () =>
    router.createWebRtcTransport({
      listenIps: [
        { ip: services.listenIp, ...(services.announcedIp ? { announcedIp: services.announcedIp } : {}) },
      ],
      enableUdp: !tcpOnly,
      enableTcp: true,
      preferUdp: !tcpOnly,
      initialAvailableOutgoingBitrate: services.initialAvailableOutgoingBitrate,
      appData: { participantId: ctx.participantId, direction: payload.direction },
    }),
  );
  try {
    peer.assertEpoch(epoch);
    if (payload.direction === 'send') await transport.setMaxIncomingBitrate(services.maxIncomingBitrate);
  } catch (error) {
    transport.close();
    throw error;
  }
  room.registerTransport(peer, transport, payload.direction, router);
  if (payload.direction === 'recv') announceAfterAnswer(ctx);
  return {
    id: transport.id,
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
    ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
    iceServers: services.iceServers(ctx.participantId),
  };
}

/** media:connect-transport: the client's DTLS fingerprint (once per transport). */
export async function connectTransport(
  payload: ClientMessage<'media:connect-transport'>,
  ctx: HandlerContext,
) {
  const { transport } = ctx.peer.transport(payload.transportId);
  const dtlsParameters = parseDtlsParameters(payload.dtlsParameters);
  await withMediaErrors('dtlsParameters', () => transport.connect({ dtlsParameters }));
  return {};
}

/** media:restart-ice: new ICE credentials after the client's network changed. */
export async function restartIce(payload: ClientMessage<'media:restart-ice'>, ctx: HandlerContext) {
  const { transport } = ctx.peer.transport(payload.transportId);
  const iceParameters = await withMediaErrors('transportId', () => transport.restartIce());
  return { iceParameters };
}

/**
 * Existing producers are announced after the acknowledgement has left, so that the client has
 * its receive transport in hand when the first media:new-producer arrives.
 */
function announceAfterAnswer(ctx: HandlerContext): void {
  setImmediate(() => {
    if (!ctx.peer.closed) ctx.room.announceExisting(ctx.peer);
  });
}
