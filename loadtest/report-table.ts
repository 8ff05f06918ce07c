import type { LoadTestReport, MediaRowView } from './report';

/** The report as plain-text tables (what `confer load-test` prints without --json). */

function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null ? '–' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

const pct = (n: number | null) => (n === null ? null : `${n.toFixed(2)} %`);
const kbps = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} Mbit/s` : `${n.toFixed(0)} kbit/s`);
const ms = (n: number | null | undefined) => (n === null || n === undefined ? null : `${n} ms`);
const cores = (n: number | null) => (n === null ? null : `${(n * 100).toFixed(0)} % of a core`);
const mib = (n: number | null) => (n === null ? null : `${n} MiB`);

/** Below this, per-packet figures mostly spread fixed costs (docs/capacity.md: ~30 µs at 2,000/s, 15 at 48,000/s). */
const LIGHT_FORWARDING_PPS = 10_000;

/** Which SRTP suites the clients negotiated: the forwarding cost below is for those. */
function srtpLine(ciphers: Record<string, number>): string {
  const seen = Object.entries(ciphers).map(([cipher, n]) => `${cipher} (${n})`);
  if (seen.length === 0) return 'SRTP: not reported by the clients';
  return `SRTP: ${seen.join(', ')}; browsers negotiate AEAD_AES_256_GCM with Confer, ~10 % cheaper per packet (npm run bench -- --only=forwarding)`;
}

/** ", 2 decoding": said only when some subscribers receive without decoding. */
const decoding = (s: LoadTestReport['settings']) =>
  s.decodersPerMeeting === null || s.decodersPerMeeting >= s.subscribersPerMeeting
    ? ''
    : `, ${s.decodersPerMeeting} decoding` +
      (s.subscriberThreads > 0 ? `, the others on ${s.subscriberThreads + 1} threads` : '');

export function formatReport(r: LoadTestReport): string {
  const s = r.settings;
  const mediaRow = (name: string, m: MediaRowView) => [
    name,
    m.packetsSent,
    kbps(m.sentKbps),
    pct(m.lossUpstreamPct),
    m.packetsReceived,
    kbps(m.receivedKbps),
    pct(m.lossDownstreamPct),
  ];
  const out: string[] = [];
  out.push(
    `Confer load test against ${r.target}: ${s.meetings} meeting(s) × (${s.publishersPerMeeting} publisher(s) + ` +
      `${s.subscribersPerMeeting} subscriber(s)${decoding(s)}), ${r.seconds} s, ${s.audioOnly ? 'audio only' : `video ${s.resolution}${s.simulcast ? ' simulcast' : ''}`}, ` +
      `${s.speakers} speaker(s), ${s.chatPerSecondPerMeeting} chat/s per meeting, ${s.joinsPerSecond} joins/s`,
    '',
    `Clients: ${r.clients.joined}/${r.clients.planned} joined, ${r.clients.failed} failed, ${r.clients.withMedia} subscriber(s) received media`,
    '',
    table(
      [
        'media',
        'packets sent',
        'bitrate sent',
        'loss up',
        'packets received',
        'bitrate received',
        'loss down',
      ],
      [mediaRow('audio', r.media.audio), mediaRow('video', r.media.video), mediaRow('total', r.media.total)],
    ),
    srtpLine(r.media.srtpCiphers),
    '',
    table(
      ['latency', 'samples', 'p50', 'p95', 'p99'],
      [
        ['join (REST join → media ready)', r.joinMs.count, ms(r.joinMs.p50), ms(r.joinMs.p95), null],
        [
          'time to first frame (join → first decoded)',
          r.firstMediaMs.count,
          ms(r.firstMediaMs.p50),
          ms(r.firstMediaMs.p95),
          null,
        ],
        [
          'video one-way (capture → decoded, via SFU)',
          r.videoLatencyMs.count,
          ms(r.videoLatencyMs.p50),
          ms(r.videoLatencyMs.p95),
          ms(r.videoLatencyMs.p99),
        ],
        [
          'chat (send → received by others)',
          r.chat.latencyMs.count,
          ms(r.chat.latencyMs.p50),
          ms(r.chat.latencyMs.p95),
          ms(r.chat.latencyMs.p99),
        ],
        [
          'chat acknowledgement (durable)',
          r.chat.ackMs.count,
          ms(r.chat.ackMs.p50),
          ms(r.chat.ackMs.p95),
          ms(r.chat.ackMs.p99),
        ],
      ],
    ),
    '',
    table(
      ['process', 'CPU', 'RSS at end', 'RSS peak'],
      [
        [
          `server (Node, ${r.resources.server.source})`,
          cores(r.resources.server.cpuCores),
          mib(r.resources.server.rssMiB),
          mib(r.resources.server.peakRssMiB),
        ],
        ...(r.resources.sfuWorkers
          ? [
              [
                `SFU workers (${r.resources.sfuWorkers.workers}, /proc)`,
                cores(r.resources.sfuWorkers.cpuCores),
                mib(r.resources.sfuWorkers.rssMiB),
                mib(r.resources.sfuWorkers.peakRssMiB),
              ],
            ]
          : []),
        [
          r.resources.tester.eventLoopBusy === null
            ? 'load tester (this process)'
            : `load tester (this process; ${s.subscriberThreads > 0 ? 'busiest JS thread' : 'JS thread'} ${Math.round(r.resources.tester.eventLoopBusy * 100)} % busy)`,
          cores(r.resources.tester.cpuCores),
          mib(r.resources.tester.rssMiB),
          mib(r.resources.tester.peakRssMiB),
        ],
      ],
    ),
  );
  const f = r.forwarding;
  if (f)
    out.push(
      '',
      table(
        ['forwarding (server CPU ÷ packets the subscribers received)', 'value'],
        [
          [
            f.window === 'steady'
              ? `packets forwarded in the steady ${Math.round(f.seconds ?? 0)} s (per second)`
              : 'packets forwarded in the whole run, joins included (per second)',
            `${f.packetsForwarded} (${f.packetsPerSecond}/s)`,
          ],
          ['SFU workers, µs per forwarded packet', f.workerUsPerPacket],
          ['workers + Node process, µs per forwarded packet', f.serverUsPerPacket],
          ['packets per second one worker core carries at that cost', f.packetsPerCoreSecond],
          ["subscribers per worker core, at this run's streams", f.subscribersPerCore],
          [
            'SFU workers, RSS growth per subscriber',
            f.workerRssKiBPerSubscriber === null ? null : `${f.workerRssKiBPerSubscriber} KiB`,
          ],
        ],
      ),
    );
  if (f && f.packetsPerSecond < LIGHT_FORWARDING_PPS)
    out.push(
      `At ${f.packetsPerSecond} packets/s the workers' fixed costs (timers, RTCP and estimators per transport) ` +
        'dominate the cost per packet: read it as capacity only from runs forwarding tens of thousands a second.',
    );
  if (r.videoLatencyMs.unreadableFrames > 0)
    out.push(
      '',
      `${r.videoLatencyMs.unreadableFrames} decoded frame(s) carried no readable time stamp (left out of the latency).`,
    );
  out.push('', `Chat: ${r.chat.sent} sent, ${r.chat.delivered} deliveries measured.`);
  const objects = Object.entries(r.resources.sfuObjects).map(([k, v]) => `${v} ${k}`);
  if (objects.length) out.push(`SFU at the end of the run: ${objects.join(', ')}.`);
  for (const note of r.resources.notes) out.push(`Note: ${note}`);
  out.push(
    '',
    r.errors.length === 0
      ? 'Errors: none'
      : table(
          ['error code', 'count', 'example'],
          r.errors.map((e) => [e.code, e.count, e.example]),
        ),
  );
  out.push(`Cleanup: ${r.cleanup.meetingsEnded}/${r.cleanup.meetingsCreated} meeting(s) ended.`);
  return `${out.join('\n')}\n`;
}
