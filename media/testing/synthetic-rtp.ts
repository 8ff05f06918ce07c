import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { types } from 'mediasoup';
import { rtpPacket } from './rtp-packets';

/**
 * Synthetic RTP endpoints around a mediasoup router, for the SFU benchmark and tests: a
 * PlainTransport producer fed from this process, PlainTransport outputs sent to sockets here,
 * synthetic VP8 packets, and a process's CPU time.
 */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

export async function udpSocket(onMessage?: (message: Buffer) => void): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  if (onMessage) socket.on('message', onMessage);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const opus = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };
const vp8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };

/** A PlainTransport producer fed by this process; `send(payload)` emits one RTP packet. */
export async function plainProducer(router: types.Router, kind: 'audio' | 'video', ssrc: number) {
  const transport = await router.createPlainTransport({
    listenIp: '127.0.0.1',
    rtcpMux: true,
    comedia: true,
  });
  const producer = await transport.produce({
    kind,
    rtpParameters: { codecs: [kind === 'audio' ? opus : vp8], encodings: [{ ssrc }] },
  });
  const socket = await udpSocket();
  const port = transport.tuple.localPort;
  let sequenceNumber = 0;
  return {
    transport,
    producer,
    send(payload: Buffer, clock: number) {
      sequenceNumber++;
      socket.send(
        rtpPacket({
          payloadType: kind === 'audio' ? 100 : 101,
          sequenceNumber,
          timestamp: clock,
          ssrc,
          payload,
        }),
        port,
        '127.0.0.1',
      );
    },
    close() {
      socket.close();
      transport.close();
    },
  };
}

/**
 * The SRTP suite Chromium negotiates with mediasoup's WebRtcTransport (its `transport` stats'
 * `srtpCipher`: SRTP_AEAD_AES_256_GCM, December 2026), so the one a browser subscriber's packets
 * cost the SFU. libwebrtc builds without GCM (the load tester's wrtc) negotiate
 * AES_CM_128_HMAC_SHA1_80, which costs the worker more per packet (`npm run bench -- --only=forwarding`).
 */
export const BROWSER_SRTP_SUITE: types.SrtpCryptoSuite = 'AEAD_AES_256_GCM';

/** Master key and salt, in bytes (RFC 3711, RFC 7714), as mediasoup takes them in keyBase64. */
const SRTP_KEY_BYTES: Record<types.SrtpCryptoSuite, number> = {
  AEAD_AES_256_GCM: 44,
  AEAD_AES_128_GCM: 28,
  AES_CM_128_HMAC_SHA1_80: 30,
  AES_CM_128_HMAC_SHA1_32: 30,
};

/** What SRTP adds to each packet on the wire (its authentication tag), in bytes. */
export const SRTP_TAG_BYTES: Record<types.SrtpCryptoSuite, number> = {
  AEAD_AES_256_GCM: 16,
  AEAD_AES_128_GCM: 16,
  AES_CM_128_HMAC_SHA1_80: 10,
  AES_CM_128_HMAC_SHA1_32: 4,
};

/** mediasoup's name for a suite as libwebrtc's stats name it (`SRTP_AEAD_AES_256_GCM`), if it is one. */
export function srtpSuiteNamed(name: string | null | undefined): types.SrtpCryptoSuite | undefined {
  const bare = name?.replace(/^SRTP_/, '');
  return bare !== undefined && bare in SRTP_KEY_BYTES ? (bare as types.SrtpCryptoSuite) : undefined;
}

/** A PlainTransport on `router` sending to `port` here, SRTP-encrypted with `srtp` when given. */
export async function plainOutput(
  router: types.Router,
  port: number,
  srtp: types.SrtpCryptoSuite | undefined,
) {
  const transport = await router.createPlainTransport({
    listenIp: '127.0.0.1',
    rtcpMux: true,
    comedia: false,
    ...(srtp ? { enableSrtp: true, srtpCryptoSuite: srtp } : {}),
  });
  await transport.connect({
    ip: '127.0.0.1',
    port,
    ...(srtp
      ? {
          srtpParameters: {
            cryptoSuite: srtp,
            keyBase64: randomBytes(SRTP_KEY_BYTES[srtp]).toString('base64'),
          },
        }
      : {}),
  });
  return transport;
}

/**
 * A synthetic VP8 packet, one frame each, with the payload descriptor Chrome sends (extended:
 * 15-bit picture id, TL0PICIDX, temporal layer 0) and a key frame every 30 frames.
 */
export function vp8Payload(index: number, bytes: number): Buffer {
  const payload = Buffer.alloc(bytes, index & 0xff);
  const pictureId = index & 0x7fff;
  payload[0] = 0x90; // X, S, partition 0
  payload[1] = 0xe0; // I, L, T
  payload[2] = 0x80 | (pictureId >> 8);
  payload[3] = pictureId & 0xff;
  payload[4] = index & 0xff; // TL0PICIDX
  payload[5] = 0x20; // TID 0, Y
  payload[6] = index % 30 === 0 ? 0x00 : 0x01; // P bit clear: key frame
  return payload;
}
