import { Adapter } from 'socket.io-adapter';

/** A WebSocket text frame (final, unmasked, as a server sends it) carrying `text`. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  // allocUnsafeSlow: memory of its own, never a slice of Node's shared 8 KiB pool (see below).
  const frame = Buffer.allocUnsafeSlow(head + length);
  frame[0] = 0x81;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.write(text, head);
  return frame;
}

type Encode = (packet: unknown, packetOpts: Record<string, unknown>) => unknown[];
interface EncodingAdapter {
  encoder: { encode(packet: unknown): unknown[] };
}

/**
 * socket.io's in-memory adapter, but each broadcast's WebSocket frame, encoded once for all its
 * recipients, lies in memory of its own. socket.io builds that frame with `Buffer.from` and ws's
 * frame header, both slices of Node's shared 8 KiB buffer pool, so one frame still held by the
 * time the young generation is collected twice kept the whole pool, and with it every other
 * frame cut from it, until the next full collection. At 4,000 chats/s over 1,000 meetings of 5
 * that was ~100 pools a second: the server's array buffers grew 1.3 MB/s, and once they grew
 * 64 MB V8 started a full collection for "external memory pressure" (every ~50 s), long before
 * the old generation reached what `--heap-growing-percent` allows it (app/node-flags.ts). With a
 * buffer of its own per frame they grow 0.45 MB/s (docs/capacity.md, twenty-eighth session).
 */
export class OwnFrameAdapter extends Adapter {}

// `_encode` is private in socket.io-adapter's types, so it is replaced on the prototype rather
// than overridden; gateways/signaling/broadcast-frames.int.test.ts fails if socket.io-adapter
// stops calling it or changes what it returns.
const inherited = (Adapter.prototype as unknown as { _encode?: Encode })._encode;
if (typeof inherited !== 'function') {
  throw new Error('socket.io-adapter no longer encodes broadcasts in _encode: see broadcast-frames.ts');
}
const encode: Encode = function (this: EncodingAdapter, packet, packetOpts) {
  const encoded = this.encoder.encode(packet);
  const only = encoded.length === 1 ? encoded[0] : undefined;
  // "4" is engine.io's type for a message; binary packets go out as socket.io sends them.
  if (typeof only === 'string') packetOpts['wsPreEncodedFrame'] = [textFrame(`4${only}`)];
  return encoded;
};
Object.defineProperty(OwnFrameAdapter.prototype, '_encode', {
  value: encode,
  writable: true,
  configurable: true,
});
