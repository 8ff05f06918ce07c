/** The codec a recorder receives, as the consumer's RTP parameters give it. */
export interface RecorderCodec {
  kind: 'audio' | 'video';
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
}

/** SDP describing one RTP stream on loopback `port`, for ffmpeg's RTP input. Pure. */
export function recorderSdp(codec: RecorderCodec, port: number): string {
  const name = codec.mimeType.split('/')[1] ?? codec.mimeType;
  // ffmpeg wants opus/48000/2 even for mono (recording-sync.md, pitfall 8).
  const encoding =
    codec.kind === 'audio'
      ? `${name}/${codec.clockRate}/${codec.channels ?? (name.toLowerCase() === 'opus' ? 2 : 1)}`
      : `${name}/${codec.clockRate}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=confer-recorder',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${codec.kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${encoding}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}
