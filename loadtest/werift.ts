import { Device } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import {
  MediaStream,
  type MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  useAbsSendTime,
  useNACK,
  usePLI,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';

/**
 * Subscribers that receive without decoding, as `lk load-test`'s do: werift (WebRTC in
 * TypeScript) under mediasoup-client's own Chrome111 handler. It does ICE, DTLS, SRTP and the
 * receiver's feedback (NACK, PLI, transport-wide congestion control) like a browser, and hands
 * the packets to nobody, so one tester carries hundreds of subscribers where libwebrtc, which
 * decodes every 720p frame, carries tens.
 *
 * The handler builds its RTCPeerConnection from the global of that name, and libwebrtc's
 * (@roamhq/wrtc) is the global for publishers and decoding subscribers. So the handler runs
 * with werift's classes in place only for the synchronous moments it constructs a connection
 * or a stream; everything after that is a method call on the object it made.
 */

/** Peer connection defaults: the codecs and feedback a browser offers, so the SFU treats it as one. */
class WeriftPeerConnection extends RTCPeerConnection {
  constructor(config: Record<string, unknown> = {}) {
    super({
      ...config,
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            rtcpFeedback: [useTWCC()],
          }),
        ],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            rtcpFeedback: [useNACK(), usePLI(), useTWCC()],
          }),
        ],
      },
      headerExtensions: {
        audio: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
        video: [useSdesMid(), useAbsSendTime(), useTransportWideCC()],
      },
    });
  }
}

const WERIFT_GLOBALS: Record<string, unknown> = {
  RTCPeerConnection: WeriftPeerConnection,
  MediaStream,
};

/** Runs `construct` with werift's classes as the globals, and puts the previous ones back. */
function withWeriftGlobals<T>(construct: () => T): T {
  const globals = globalThis as Record<string, unknown>;
  const previous = Object.fromEntries(Object.keys(WERIFT_GLOBALS).map((name) => [name, globals[name]]));
  Object.assign(globals, WERIFT_GLOBALS);
  try {
    return construct();
  } finally {
    Object.assign(globals, previous);
  }
}

type HandlerFactory = NonNullable<ConstructorParameters<typeof Device>[0]>['handlerFactory'] & object;

function weriftHandlerFactory(): HandlerFactory {
  const chrome = Chrome111.createFactory({});
  return {
    name: 'Chrome111-werift',
    factory: (options) => withWeriftGlobals(() => chrome.factory(options)),
    // The capabilities probe constructs its connection before its first await.
    getNativeRtpCapabilities: (options) => withWeriftGlobals(() => chrome.getNativeRtpCapabilities(options)),
  };
}

/** A mediasoup-client Device whose transports are werift connections. */
export function createWeriftDevice(): Device {
  return new Device({ handlerFactory: weriftHandlerFactory() });
}

/** Calls `seen` at the first RTP packet on a werift track; `stop()` stops listening. */
export function watchFirstPacket(track: unknown, seen: () => void): { stop(): void } {
  const subscription = (track as MediaStreamTrack).onReceiveRtp.subscribe(() => {
    subscription.unSubscribe();
    seen();
  });
  return { stop: () => subscription.unSubscribe() };
}
