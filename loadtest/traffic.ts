import type { Transport } from 'mediasoup-client/types';

/**
 * Packets and bytes of one client's transport, per kind, from libwebrtc's getStats. The whole
 * peer connection's report is read (wrtc does not implement per-receiver stats), and
 * mediasoup-client's bandwidth `probator` stream is left out: it is not media.
 */

export interface KindTraffic {
  packetsSent: number;
  bytesSent: number;
  /** Reported back by the SFU in RTCP receiver reports (remote-inbound-rtp). */
  packetsLostUpstream: number;
  packetsReceived: number;
  bytesReceived: number;
  packetsLost: number;
  framesDecoded: number;
}

export type Traffic = Record<'audio' | 'video', KindTraffic>;

const zero = (): KindTraffic => ({
  packetsSent: 0,
  bytesSent: 0,
  packetsLostUpstream: 0,
  packetsReceived: 0,
  bytesReceived: 0,
  packetsLost: 0,
  framesDecoded: 0,
});

export const emptyTraffic = (): Traffic => ({ audio: zero(), video: zero() });

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export interface TransportReading {
  traffic: Traffic;
  /**
   * The SRTP suite the peer connection negotiated, as libwebrtc names it (`AES_CM_128_HMAC_SHA1_80`;
   * Chromium says `SRTP_AEAD_AES_256_GCM`): what each packet costs the SFU depends on it.
   */
  srtpCipher: string | null;
}

export async function readTraffic(transport: Transport): Promise<Traffic> {
  return (await readTransport(transport)).traffic;
}

export async function readTransport(transport: Transport): Promise<TransportReading> {
  const report = await transport.getStats();
  const out = emptyTraffic();
  let srtpCipher: string | null = null;
  report.forEach((stat: Record<string, unknown>) => {
    if (stat['type'] === 'transport' && typeof stat['srtpCipher'] === 'string')
      srtpCipher = stat['srtpCipher'];
    const kind = stat['kind'];
    if (kind !== 'audio' && kind !== 'video') return;
    const t = out[kind];
    if (stat['type'] === 'outbound-rtp') {
      t.packetsSent += num(stat['packetsSent']);
      t.bytesSent += num(stat['bytesSent']);
    } else if (stat['type'] === 'remote-inbound-rtp') {
      t.packetsLostUpstream += Math.max(0, num(stat['packetsLost']));
    } else if (stat['type'] === 'inbound-rtp' && stat['mid'] !== 'probator') {
      t.packetsReceived += num(stat['packetsReceived']);
      t.bytesReceived += num(stat['bytesReceived']);
      t.packetsLost += Math.max(0, num(stat['packetsLost']));
      t.framesDecoded += num(stat['framesDecoded']);
    }
  });
  return { traffic: out, srtpCipher };
}

export function addTraffic(into: Traffic, from: Traffic): void {
  for (const kind of ['audio', 'video'] as const)
    for (const key of Object.keys(into[kind]) as (keyof KindTraffic)[]) into[kind][key] += from[kind][key];
}
