import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  RtpCapabilities,
  RtpParameters,
  SctpParameters,
} from 'mediasoup-client/types';
import type { ClientAnswers, ClientMessageType } from '../../../protocol/signaling';

/** The protocol's media structures, bound to mediasoup-client's types (the SFU sends exactly these). */
export interface WebMediaTypes {
  rtpCapabilities: RtpCapabilities;
  rtpParameters: RtpParameters;
  iceParameters: IceParameters;
  iceCandidate: IceCandidate;
  dtlsParameters: DtlsParameters;
  sctpParameters: SctpParameters;
}

/** What each request is answered with, as this client sees it. */
export type Answer<K extends ClientMessageType> = ClientAnswers<WebMediaTypes>[K];
