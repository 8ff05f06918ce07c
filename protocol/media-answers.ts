/**
 * What the SFU answers each media request with. RTP, ICE and DTLS structures are mediasoup's own
 * (the client hands them to mediasoup-client as they are): `object` here, so this module needs
 * neither library; their outer shape on the way in is checked by media-parameters.ts.
 */
export type MediaParameters = object;

export interface TransportAnswer {
  id: string;
  iceParameters: MediaParameters;
  iceCandidates: MediaParameters[];
  dtlsParameters: MediaParameters;
  sctpParameters?: MediaParameters;
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
}

export interface ConsumeAnswer {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: MediaParameters;
  participantId: string;
  source: 'microphone' | 'camera' | 'screen';
  type: string;
  producerPaused: boolean;
}

export interface ConnectionQuality {
  rttMs: number | null;
  packetLossPct: number | null;
  jitterMs: number | null;
  bitrateKbps: number | null;
  score: number | null;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type Done = {};

export interface MediaAnswers {
  'media:router-capabilities': { rtpCapabilities: MediaParameters };
  'media:set-rtp-capabilities': Done;
  'media:create-transport': TransportAnswer;
  'media:connect-transport': Done;
  'media:restart-ice': { iceParameters: MediaParameters };
  'media:produce': { producerId: string };
  'media:close-producer': Done;
  'media:pause-producer': Done;
  'media:resume-producer': Done;
  'media:consume': ConsumeAnswer;
  'media:resume-consumer': Done;
  'media:pause-consumer': Done;
  'media:report-viewport': { updated: number; unknown: string[] };
  'media:stats': { participants: Record<string, ConnectionQuality> };
}
