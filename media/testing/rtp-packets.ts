/** Minimal RTP (RFC 3550) packets for synthetic senders in tests and benchmarks. */
export interface RtpPacketFields {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  /** One-byte header extensions (RFC 8285): id 1–14 → value (1–16 bytes). */
  extensions?: Array<{ id: number; value: Buffer }>;
  payload: Buffer;
}

export function rtpPacket(fields: RtpPacketFields): Buffer {
  const extensions = fields.extensions ?? [];
  let extensionBlock = Buffer.alloc(0);
  if (extensions.length > 0) {
    const elements = Buffer.concat(
      extensions.map(({ id, value }) =>
        Buffer.concat([Buffer.from([(id << 4) | (value.length - 1)]), value]),
      ),
    );
    const words = Math.ceil(elements.length / 4);
    extensionBlock = Buffer.alloc(4 + words * 4);
    extensionBlock.writeUInt16BE(0xbede, 0);
    extensionBlock.writeUInt16BE(words, 2);
    elements.copy(extensionBlock, 4);
  }
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (extensions.length > 0 ? 0x10 : 0);
  header[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  header.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  return Buffer.concat([header, extensionBlock, fields.payload]);
}

/** The parts of a received RTP packet a test looks at. */
export function parseRtp(
  packet: Buffer,
): { payloadType: number; sequenceNumber: number; ssrc: number; payload: Buffer } | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  const payloadType = packet[1]! & 0x7f;
  // RTCP shares the port with rtcp-mux: its packet types 200–204 read as payload types 72–76.
  if (payloadType >= 72 && payloadType <= 76) return undefined;
  const csrcCount = packet[0]! & 0x0f;
  let offset = 12 + csrcCount * 4;
  if (packet[0]! & 0x10) offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  return {
    payloadType,
    sequenceNumber: packet.readUInt16BE(2),
    ssrc: packet.readUInt32BE(8),
    payload: packet.subarray(offset),
  };
}

/** The ssrc-audio-level extension's value: voice flag and level in -dBov (0 loud, 127 silent). */
export const audioLevel = (dBov: number): Buffer => Buffer.from([0x80 | Math.min(127, Math.max(0, dBov))]);
