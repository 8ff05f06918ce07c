import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU and memory of a server on this machine, read from /proc (Linux): the process listening on
 * the target's port and its children (the mediasoup workers, which do the forwarding and which
 * the server's own /metrics does not count). Read-only; undefined where /proc says nothing.
 */

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI Node runs on
const PAGE_BYTES = 4096;

export interface ProcessUsage {
  pid: number;
  name: string;
  cpuSeconds: number;
  rssBytes: number;
}

function readStat(
  pid: number,
): { name: string; ppid: number; cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is state (field 3): utime is field 14, stime 15, rss 24 → indices 11, 12, 21
    return {
      name,
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      rssBytes: Number(fields[21]) * PAGE_BYTES,
    };
  } catch {
    return undefined;
  }
}

/** Socket inodes listening on a TCP port (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

const pids = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

/** The pid listening on `port`, when it is a process this user may inspect. */
export function findListeningPid(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of pids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1]!)) return pid;
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return undefined;
}

/** The server process and its children (mediasoup workers), as they are now. */
export function processTree(pid: number): { server?: ProcessUsage; children: ProcessUsage[] } {
  const stat = readStat(pid);
  const children: ProcessUsage[] = [];
  for (const child of pids()) {
    const s = readStat(child);
    if (s && s.ppid === pid)
      children.push({ pid: child, name: s.name, cpuSeconds: s.cpuSeconds, rssBytes: s.rssBytes });
  }
  return {
    ...(stat
      ? { server: { pid, name: stat.name, cpuSeconds: stat.cpuSeconds, rssBytes: stat.rssBytes } }
      : {}),
    children,
  };
}
