import type { MediaMessageType } from '../protocol/media-signaling.port';
import type { ClientAnswers, ClientMessage } from '../protocol/signaling';
import { consume, pauseConsumer, reportViewport, resumeConsumer, stats } from './consumer.handlers';
import type { HandlerContext } from './media-context';
import { closeProducer, pauseProducer, produce, resumeProducer } from './producer.handlers';
import {
  connectTransport,
  createTransport,
  restartIce,
  routerCapabilities,
  setRtpCapabilities,
} from './transport.handlers';

export type MediaHandlers = {
  [K in MediaMessageType]: (payload: ClientMessage<K>, ctx: HandlerContext) => Promise<ClientAnswers[K]>;
};

/** One handler per media message of the protocol (the compiler checks that none is missing). */
export const mediaHandlers: MediaHandlers = {
  'media:router-capabilities': routerCapabilities,
  'media:set-rtp-capabilities': setRtpCapabilities,
  'media:create-transport': createTransport,
  'media:connect-transport': connectTransport,
  'media:restart-ice': restartIce,
  'media:produce': produce,
  'media:close-producer': closeProducer,
  'media:pause-producer': pauseProducer,
  'media:resume-producer': resumeProducer,
  'media:consume': consume,
  'media:resume-consumer': resumeConsumer,
  'media:pause-consumer': pauseConsumer,
  'media:report-viewport': reportViewport,
  'media:stats': stats,
};
