/**
 * What the SFU answers each media request with. RTP, ICE and DTLS structures are mediasoup's own
 * (the client hands them to mediasoup-client as they are): `object` here, so this module needs
 * neither library; their outer shape on the way in is checked by media-parameters.ts.
 */
export type MediaParameters = object;

/**
 * The library types a side binds the opaque structures to: the web client passes
 * mediasoup-client's, so its requests and answers need no casts; the defaults are opaque.
 */
export interface MediaTypes {
  rtpCapabilities: MediaParameters;
  rtpParameters: MediaParameters;
  iceParameters: MediaParameters;
  iceCandidate: MediaParameters;
  dtlsParameters: MediaParameters;
  sctpParameters: MediaParameters;
}

export interface TransportAnswer<T extends MediaTypes = MediaTypes> {
  id: string;
  iceParameters: T['iceParameters'];
  iceCandidates: T['iceCandidate'][];
  dtlsParameters: T['dtlsParameters'];
  sctpParameters?: T['sctpParameters'];
  iceServers: { urls: string | string[]; username?: string; credential?: string }[];
}

export interface ConsumeAnswer<T extends MediaTypes = MediaTypes> {
  consumerId: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: T['rtpParameters'];
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

export interface MediaAnswers<T extends MediaTypes = MediaTypes> {
  'media:router-capabilities': { rtpCapabilities: T['rtpCapabilities'] };
  'media:set-rtp-capabilities': Done;
  'media:create-transport': TransportAnswer<T>;
  'media:connect-transport': Done;
  'media:restart-ice': { iceParameters: T['iceParameters'] };
  'media:produce': { producerId: string };
  'media:close-producer': Done;
  'media:pause-producer': Done;
  'media:resume-producer': Done;
  'media:consume': ConsumeAnswer<T>;
  'media:resume-consumer': Done;
  'media:pause-consumer': Done;
  'media:report-viewport': { updated: number; unknown: string[] };
  'media:stats': { participants: Record<string, ConnectionQuality> };
}
