import { createSocket } from 'node:dgram';

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });

/**
 * An even loopback UDP port whose successor is free too: ffmpeg's RTP input binds the port and,
 * whatever the SDP says, RTCP on port + 1 (recording-sync.md, pitfall 8).
 */
export async function freeRtpPortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + 2 * Math.floor(Math.random() * 5_000);
    if ((await bindable(port)) && (await bindable(port + 1))) return port;
  }
  throw new Error('no free UDP port pair on loopback for a recorder');
}

/** Resolves once something (ffmpeg) has bound `port`, or after `timeoutMs`. */
export async function waitUntilBound(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await bindable(port))) return true;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  return false;
}
