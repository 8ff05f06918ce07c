import { ConferError } from '../domain/shared/errors';
import type { ClientMessage } from '../protocol/signaling';
import {
  kindOfSource,
  mediaKindOfSource,
  runAsParticipant,
  sourceEnabled,
  type HandlerContext,
} from './media-context';
import { withMediaErrors } from './media-errors';
import { parseRtpParameters } from './parameters';
import type { ProducerEntry } from './peer';

/**
 * media:produce: a producer on the participant's send transport, recorded by the command
 * PublishMedia (and, for a screen, ChangeMediaState screen=true). Others hear of it from the
 * MediaPublished event. A source the meeting has muted is produced paused, whatever the client asked.
 */
export async function produce(payload: ClientMessage<'media:produce'>, ctx: HandlerContext) {
  const { peer, room, meetingId, participantId, services } = ctx;
  const epoch = peer.epoch;
  const { transport, router } = peer.sendTransport(payload.transportId);
  if (kindOfSource(payload.source) !== payload.kind) {
    throw new ConferError(
      'CONFER_MEDIA_INVALID_PARAMETERS',
      `kind: a ${payload.source} is ${kindOfSource(payload.source)}`,
      'kind',
    );
  }
  if (peer.producerOf(payload.source)) {
    throw new ConferError(
      'CONFER_MEDIA_INVALID_PARAMETERS',
      `source: this participant already produces a ${payload.source}; close it first`,
      'source',
    );
  }
  const rtpParameters = parseRtpParameters(payload.rtpParameters);
  const { state } = await services.commands.load(meetingId);
  const paused = payload.paused === true || !sourceEnabled(state, participantId, payload.source);
  const producer = await withMediaErrors('rtpParameters', () =>
    transport.produce({
      kind: payload.kind,
      rtpParameters,
      paused,
      appData: { participantId, source: payload.source },
    }),
  );
  let entry: ProducerEntry;
  try {
    peer.assertEpoch(epoch);
    entry = room.registerProducer(peer, producer, payload.source, router);
  } catch (error) {
    producer.close();
    throw error;
  }
  try {
    await runAsParticipant(ctx, {
      type: 'PublishMedia',
      participantId,
      producerId: producer.id,
      source: payload.source,
      kind: payload.kind,
      paused,
      nodeId: services.nodeId,
    });
    if (payload.source === 'screen')
      await runAsParticipant(ctx, { type: 'ChangeMediaState', participantId, kind: 'screen', enabled: true });
  } catch (error) {
    entry.closeReason = 'rejected';
    producer.close();
    throw error;
  }
  entry.published = true;
  return { producerId: producer.id };
}

/** media:close-producer: closed at once, then recorded (UnpublishMedia; screen=false for the last screen). */
export async function closeProducer(payload: ClientMessage<'media:close-producer'>, ctx: HandlerContext) {
  const entry = ctx.peer.producer(payload.producerId);
  entry.closeReason = 'client';
  entry.producer.close();
  await runAsParticipant(ctx, {
    type: 'UnpublishMedia',
    participantId: ctx.participantId,
    producerId: payload.producerId,
  });
  if (entry.source === 'screen' && !ctx.peer.producerOf('screen')) {
    await runAsParticipant(ctx, {
      type: 'ChangeMediaState',
      participantId: ctx.participantId,
      kind: 'screen',
      enabled: false,
    });
  }
  return {};
}

/** media:pause-producer: stop forwarding (the meeting-level mute is the `mute` message). */
export async function pauseProducer(payload: ClientMessage<'media:pause-producer'>, ctx: HandlerContext) {
  const { producer } = ctx.peer.producer(payload.producerId);
  await withMediaErrors('producerId', () => producer.pause());
  return {};
}

/** media:resume-producer: refused while the meeting has this source muted (send `unmute` first). */
export async function resumeProducer(payload: ClientMessage<'media:resume-producer'>, ctx: HandlerContext) {
  const entry = ctx.peer.producer(payload.producerId);
  const { state } = await ctx.services.commands.load(ctx.meetingId);
  if (!sourceEnabled(state, ctx.participantId, entry.source)) {
    throw new ConferError(
      'CONFER_FORBIDDEN',
      `The meeting has your ${mediaKindOfSource(entry.source)} muted: send unmute first`,
      'producerId',
    );
  }
  await withMediaErrors('producerId', () => entry.producer.resume());
  return {};
}
