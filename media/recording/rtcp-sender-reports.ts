import { createSocket, type Socket } from 'node:dgram';

export interface SenderReportSample {
  ssrc: number;
  /** NTP time of the report in ms (mediasoup: its worker clock). */
  ntpMs: number;
  rtpTs: number;
}

/**
 * Finds the sender reports (PT 200) in a (compound) RTCP packet. Pure: anything malformed is
 * skipped, never thrown.
 */
export function parseSenderReports(packet: Buffer): SenderReportSample[] {
  const out: SenderReportSample[] = [];
  let offset = 0;
  while (offset + 4 <= packet.length) {
    const version = packet[offset]! >> 6;
    const type = packet[offset + 1]!;
    const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
    if (version !== 2 || length < 4 || offset + length > packet.length) break;
    if (type === 200 && length >= 28) {
      const msw = packet.readUInt32BE(offset + 8);
      const lsw = packet.readUInt32BE(offset + 12);
      out.push({
        ssrc: packet.readUInt32BE(offset + 4),
        ntpMs: msw * 1000 + (lsw / 2 ** 32) * 1000,
        rtpTs: packet.readUInt32BE(offset + 16),
      });
    }
    offset += length;
  }
  return out;
}

/** A UDP socket on loopback that the consumer's RTCP is sent to, collecting its sender reports. */
export async function listenForSenderReports(
  onReport: (sr: SenderReportSample) => void,
): Promise<{ port: number; close(): void }> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message) => {
    for (const sr of parseSenderReports(message)) onReport(sr);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    },
  };
}
