import wrtc from '@roamhq/wrtc';
import type { Device } from 'mediasoup-client';

/**
 * libwebrtc for Node (@roamhq/wrtc, WebRTC M106) under mediasoup-client: the web client's own
 * media library runs here unchanged once the browser's RTC classes exist as globals. Chrome111
 * is the handler a current Chromium gets, so the SDP the SFU sees is a browser's.
 */
let installed = false;

export function installWrtcGlobals(): void {
  if (installed) return;
  installed = true;
  const globals = globalThis as Record<string, unknown>;
  const classes: Record<string, unknown> = {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    RTCSessionDescription: wrtc.RTCSessionDescription,
    RTCIceCandidate: wrtc.RTCIceCandidate,
    MediaStream: wrtc.MediaStream,
    MediaStreamTrack: wrtc.MediaStreamTrack,
    RTCRtpSender: wrtc.RTCRtpSender,
    RTCRtpReceiver: wrtc.RTCRtpReceiver,
    RTCRtpTransceiver: wrtc.RTCRtpTransceiver,
    RTCDataChannel: wrtc.RTCDataChannel,
  };
  for (const [name, value] of Object.entries(classes)) if (globals[name] === undefined) globals[name] = value;
}

/** A mediasoup-client Device on libwebrtc (after installWrtcGlobals). */
export async function createDevice(): Promise<Device> {
  installWrtcGlobals();
  const { Device } = await import('mediasoup-client');
  return new Device({ handlerName: 'Chrome111' });
}

export const { RTCVideoSource, RTCAudioSource, RTCVideoSink } = wrtc.nonstandard;
