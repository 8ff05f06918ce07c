import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports handed out by this process, so that two servers started back to back
 * (before either binds) never get the same one. */
const handedOut = new Set<number>();

/**
 * Lowest port of the kernel's ephemeral range (source ports of outgoing
 * connections). We pick server ports *below* it: a server stopped and started
 * again on the same port (fault tests) could otherwise find its port taken
 * by a client's outgoing connection in between.
 */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > 2048 ? value : 32768;
  } catch {
    return 32768; // not Linux: the IANA default range starts at 49152, this is below it too
  }
}

/** Resolves true when `port` could be bound on `host` (then released). */
function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that is free on `host` right now, chosen at random between 15000
 * and the ephemeral range. Another process could still take it before our
 * server binds; with random choice in a range of ~17,000 ports and servers
 * binding within a second, that does not happen in practice.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const low = 15_000;
  const high = Math.max(low + 1_000, ephemeralLow());
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port) || !(await canBind(port, host))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`freePort: no free port found on ${host} between ${low} and ${high}`);
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) ports.push(await freePort(host));
  return ports;
}
