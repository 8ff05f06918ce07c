import { ConferError } from '../domain/shared/errors';
import type { ClientMessage } from '../protocol/signaling';
import { layerForTile } from './layers';
import type { HandlerContext } from './media-context';
import { withMediaErrors } from './media-errors';
import type { ConsumerEntry } from './peer';
import { measureRoom } from './quality';

/** The answer to media:consume, as mediasoup-client's recvTransport.consume() wants it. */
function consumerView(entry: ConsumerEntry) {
  const { consumer, producer } = entry;
  return {
    consumerId: consumer.id,
    producerId: producer.producer.id,
    kind: consumer.kind,
    rtpParameters: consumer.rtpParameters,
    participantId: producer.participantId,
    source: producer.source,
    type: consumer.type,
    producerPaused: consumer.producerPaused,
  };
}

/**
 * media:consume: a consumer of any producer of the meeting, on the participant's newest receive
 * transport, created paused (the client resumes it once its track is wired). A producer on
 * another router of the meeting is piped to this one first.
 */
export async function consume(payload: ClientMessage<'media:consume'>, ctx: HandlerContext) {
  const { peer, room } = ctx;
  const epoch = peer.epoch;
  const rtpCapabilities = peer.rtpCapabilities;
  if (!rtpCapabilities) throw new ConferError('CONFER_MEDIA_CAPABILITIES_REQUIRED');
  const producer = room.producers.get(payload.producerId);
  if (!producer || producer.producer.closed) {
    throw new ConferError('CONFER_MEDIA_UNKNOWN_PRODUCER', undefined, 'producerId');
  }
  const recv = peer.recvTransport();
  if (!recv) throw new ConferError('CONFER_MEDIA_UNKNOWN_TRANSPORT', 'Create a receive transport first');
  for (const existing of peer.consumers.values()) {
    // A retried request gets the consumer it already has rather than a second one.
    if (existing.producer === producer && !existing.consumer.closed) return consumerView(existing);
  }
  await withMediaErrors('producerId', () => room.ensureOnRouter(producer, recv.router));
  if (!recv.router.canConsume({ producerId: payload.producerId, rtpCapabilities })) {
    throw new ConferError('CONFER_MEDIA_CANNOT_CONSUME', undefined, 'producerId');
  }
  const consumer = await withMediaErrors('producerId', () =>
    recv.transport.consume({
      producerId: payload.producerId,
      rtpCapabilities,
      paused: true,
      appData: { participantId: ctx.participantId, producerParticipantId: producer.participantId },
    }),
  );
  try {
    peer.assertEpoch(epoch);
  } catch (error) {
    consumer.close();
    throw error;
  }
  const entry = room.registerConsumer(peer, consumer, producer);
  await room.applyConsumerState(entry);
  return consumerView(entry);
}

export async function resumeConsumer(payload: ClientMessage<'media:resume-consumer'>, ctx: HandlerContext) {
  const entry = ctx.peer.consumer(payload.consumerId);
  entry.clientPaused = false;
  await withMediaErrors('consumerId', () => ctx.room.applyConsumerState(entry));
  return {};
}

export async function pauseConsumer(payload: ClientMessage<'media:pause-consumer'>, ctx: HandlerContext) {
  const entry = ctx.peer.consumer(payload.consumerId);
  entry.clientPaused = true;
  await withMediaErrors('consumerId', () => ctx.room.applyConsumerState(entry));
  return {};
}

/**
 * media:report-viewport: the receiver's tile sizes choose each video consumer's simulcast layer;
 * a 0×0 tile pauses its consumer. Ids the participant does not (or no longer) own are listed back.
 */
export async function reportViewport(payload: ClientMessage<'media:report-viewport'>, ctx: HandlerContext) {
  const unknown: string[] = [];
  const changed: ConsumerEntry[] = [];
  for (const tile of payload.tiles) {
    const entry = ctx.peer.consumers.get(tile.consumerId);
    if (!entry || entry.consumer.closed) {
      unknown.push(tile.consumerId);
      continue;
    }
    if (entry.consumer.kind !== 'video') continue;
    const decision = layerForTile(tile.width, tile.height);
    entry.hidden = !decision.visible;
    if (decision.visible) entry.viewportLayer = decision.spatialLayer;
    changed.push(entry);
  }
  await Promise.all(changed.map((entry) => ctx.room.applyConsumerState(entry)));
  return { updated: changed.length, unknown };
}

/** media:stats: connection quality of every participant of the meeting on this node. */
export async function stats(_payload: ClientMessage<'media:stats'>, ctx: HandlerContext) {
  return { participants: await measureRoom(ctx.room.peers.values()) };
}
