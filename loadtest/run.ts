import { performance } from 'node:perf_hooks';
import { emptySamples, LoadClient, type ClientSpec, type LoadParticipant, type Samples } from './client';
import { ErrorTally, LoadTestError } from './errors';
import { assertTargetAllowed, isLoopback, type LoadTestOptions } from './options';
import { forwardingCost } from './forwarding-cost';
import { summarize } from './percentiles';
import { LoadTestReportSchema, type LoadTestReport, type MediaRowView } from './report';
import { ResourceSampler } from './resource-usage';
import { openSteadyWindow, packetsInWindow } from './steady-window';
import { restApi } from './signaling';
import { portableSpec, SubscriberThreads } from './subscriber-threads';
import { SyntheticMedia } from './synthetic-media';
import { addTraffic, emptyTraffic, type KindTraffic } from './traffic';

/**
 * One load test: create the meetings, join clients at --join-rate (publishers first in each
 * meeting), send chat at --chat-rate, rotate the speakers, and at --duration read every client's
 * figures, leave, and end the meetings. Everything is bounded in time: a server that refuses,
 * drops or stops answering becomes counted errors, and the run still ends and reports.
 */

const SPEAKER_TURN_MS = 3000;
/** Subscribers per meeting that read every frame's stamp for the latency (the rest read the first). */
const LATENCY_READERS_PER_MEETING = 8;
const CLEANUP_BUDGET_MS = 20_000;

interface MeetingRun {
  meetingId: string;
  hostToken: string;
  publishers: LoadClient[];
  subscribers: LoadParticipant[];
}

export interface RunDeps {
  operatorToken: string | undefined;
  /** Progress lines (stderr), so stdout carries only the report. */
  log(line: string): void;
}

export async function runLoadTest(options: LoadTestOptions, deps: RunDeps): Promise<LoadTestReport> {
  assertTargetAllowed(options.url, options.allowRemote);
  // The process's clock, the same on every thread: chat sent here may be received on a subscriber thread.
  const now = () => performance.timeOrigin + performance.now();
  const startedAt = new Date();
  const errors = new ErrorTally();
  const samples: Samples = emptySamples();
  const api = restApi(options.url);
  const sampler = new ResourceSampler(options.url, deps.operatorToken, isLoopback(options.url));
  const media = new SyntheticMedia(now);
  const timers: NodeJS.Timeout[] = [];
  const meetings: MeetingRun[] = [];
  const joins: Promise<void>[] = [];
  let failed = 0;
  let chatSent = 0;

  await sampler.start();
  // Unreferenced threads: a run that throws still lets the process end.
  const threads = options.threads > 0 ? await SubscriberThreads.start(options.threads, errors) : undefined;
  media.start();
  const t0 = now();
  const deadline = t0 + options.duration;

  for (let m = 0; m < options.meetings && now() < deadline; m++) {
    try {
      const created = await api.createMeeting(
        `Load test ${startedAt.toISOString()} #${m + 1}`,
        Math.max(2, options.publishers + options.subscribers),
      );
      meetings.push({ ...created, publishers: [], subscribers: [] });
    } catch (error) {
      errors.add(error, `create meeting ${m + 1}`);
    }
  }
  deps.log(`${meetings.length}/${options.meetings} meeting(s) created`);

  // The join queue, spread at --join-rate; joins overlap (a slow server does not slow the rate).
  const queue: { meeting: MeetingRun; client: LoadParticipant }[] = [];
  for (const [m, meeting] of meetings.entries()) {
    for (const role of ['publisher', 'subscriber'] as const) {
      const count = role === 'publisher' ? options.publishers : options.subscribers;
      for (let i = 0; i < count; i++) {
        const spec: ClientSpec = {
          baseUrl: options.url,
          meetingId: meeting.meetingId,
          name: `load-${m + 1}-${role === 'publisher' ? 'pub' : 'sub'}-${i + 1}`,
          role,
          video: !options.audioOnly,
          simulcast: options.simulcast,
          resolution: options.resolution,
          decodes: role === 'publisher' || i < options.decoders,
          readsEveryFrame: role === 'subscriber' && i < LATENCY_READERS_PER_MEETING,
          checkTarget: (origin) => assertTargetAllowed(origin, options.allowRemote, 'webSocketUrl'),
        };
        if (role === 'publisher') {
          const client = new LoadClient(spec, media, samples, errors, now);
          meeting.publishers.push(client);
          queue.push({ meeting, client });
          continue;
        }
        const client =
          (spec.decodes ? undefined : threads?.place(portableSpec(spec, options.allowRemote))) ??
          new LoadClient(spec, media, samples, errors, now);
        meeting.subscribers.push(client);
        queue.push({ meeting, client });
      }
    }
  }
  const gapMs = 1000 / options.joinRate;
  const joinsDone = (async () => {
    for (const [i, { client }] of queue.entries()) {
      const at = t0 + i * gapMs;
      if (at >= deadline) break;
      if (at > now()) await sleep(at - now());
      joins.push(
        client.join().catch((error: unknown) => {
          failed++;
          errors.add(error, 'join');
          client.close();
        }),
      );
    }
  })();

  // Speakers: --speakers publishers of each meeting talk at a time, the turn passing every 3 s.
  let turn = 0;
  const rotate = () => {
    for (const meeting of meetings)
      meeting.publishers.forEach((p, i) => {
        const n = meeting.publishers.length;
        p.speaking = (i - turn + n * 1000) % n < options.speakers;
      });
    turn++;
  };
  rotate();
  timers.push(setInterval(rotate, SPEAKER_TURN_MS));

  // Chat: --chat-rate messages per second per meeting, from its joined clients in turn.
  if (options.chatRate > 0)
    for (const meeting of meetings) {
      let next = 0;
      timers.push(
        setInterval(() => {
          const members = [...meeting.publishers, ...meeting.subscribers].filter((c) => c.joined);
          if (members.length === 0) return;
          chatSent++;
          void members[next++ % members.length]!.sendChat();
        }, 1000 / options.chatRate),
      );
    }

  const steadyFrom = openSteadyWindow({
    joined: joinsDone.then(() => Promise.all(joins)),
    subscribers: () => meetings.flatMap((m) => m.subscribers),
    sampler,
    deadline,
    now,
  });

  await sleep(deadline - now());
  for (const t of timers) clearInterval(t);
  await joinsDone;
  // Joins still in flight get a moment; what has not joined by then counts as not joined.
  await Promise.race([Promise.all(joins), sleep(2000)]);
  await sleep(300); // chat broadcasts already on the wire arrive

  const clients = meetings.flatMap((m) => [...m.publishers, ...m.subscribers]);
  const subscribers = meetings.flatMap((m) => m.subscribers);
  // Every client's figures read at once, then the CPU: the packets and the CPU end together.
  const steadyStart = await Promise.race([steadyFrom, sleep(0).then(() => null)]);
  const readings = new Map(
    await Promise.all(clients.filter((c) => c.joined).map(async (c) => [c, await c.traffic()] as const)),
  );
  const resources = await sampler.stop((await threads?.busy()) ?? []);
  const sent = emptyTraffic();
  const received = emptyTraffic();
  const rates = { sent: { audio: 0, video: 0 }, received: { audio: 0, video: 0 } };
  let receivedPacketsPerSecond = 0; // each subscriber's own rate since it joined, summed
  const srtpCiphers: Record<string, number> = {};
  for (const meeting of meetings) {
    const publishing = meeting.publishers.some((p) => p.joined);
    for (const [role, list] of [
      ['publisher', meeting.publishers],
      ['subscriber', meeting.subscribers],
    ] as const)
      for (const client of list) {
        const reading = readings.get(client);
        if (!reading) continue;
        const { traffic, seconds, srtpCipher } = reading;
        if (srtpCipher) srtpCiphers[srtpCipher] = (srtpCiphers[srtpCipher] ?? 0) + 1;
        addTraffic(role === 'publisher' ? sent : received, traffic);
        for (const kind of ['audio', 'video'] as const) {
          const bytes = role === 'publisher' ? traffic[kind].bytesSent : traffic[kind].bytesReceived;
          if (seconds > 0)
            rates[role === 'publisher' ? 'sent' : 'received'][kind] += (bytes * 8) / seconds / 1000;
          if (seconds > 0 && role === 'subscriber')
            receivedPacketsPerSecond += traffic[kind].packetsReceived / seconds;
        }
        if (role === 'subscriber' && publishing && !client.receivedMedia)
          errors.add(
            new LoadTestError('NO_MEDIA_RECEIVED', 'a subscriber received no media in the run'),
            client.participantId,
          );
      }
  }
  const steadyPackets = packetsInWindow(steadyStart, readings);
  const steady =
    steadyPackets !== null && resources.steady
      ? { seconds: resources.steady.seconds, packets: steadyPackets }
      : null;
  media.stop();
  const seconds = Math.round((now() - t0) / 100) / 10;

  deps.log('leaving and ending the meetings');
  let ended = 0;
  await Promise.race([
    (async () => {
      await Promise.all(clients.map((c) => c.leave()));
      for (const meeting of meetings)
        await api.endMeeting(meeting.meetingId, meeting.hostToken).then(
          () => ended++,
          (error: unknown) => errors.add(error, 'end meeting'),
        );
    })(),
    sleep(CLEANUP_BUDGET_MS),
  ]);
  for (const c of clients) c.close();
  // What the subscriber threads' clients measured joins the run's figures (their chat, their errors).
  await threads?.collect(samples);
  await threads?.stop();

  const row = (kind: 'audio' | 'video' | 'total'): MediaRowView => {
    const pick = (t: typeof sent): KindTraffic =>
      kind === 'total'
        ? (Object.fromEntries(
            Object.keys(t.audio).map((k) => [
              k,
              t.audio[k as keyof KindTraffic] + t.video[k as keyof KindTraffic],
            ]),
          ) as unknown as KindTraffic)
        : t[kind];
    const s = pick(sent);
    const r = pick(received);
    const rate = (side: 'sent' | 'received') =>
      Math.round(kind === 'total' ? rates[side].audio + rates[side].video : rates[side][kind]);
    return {
      packetsSent: s.packetsSent,
      sentKbps: rate('sent'),
      lossUpstreamPct: s.packetsSent ? round2((100 * s.packetsLostUpstream) / s.packetsSent) : null,
      packetsReceived: r.packetsReceived,
      receivedKbps: rate('received'),
      lossDownstreamPct:
        r.packetsReceived + r.packetsLost
          ? round2((100 * r.packetsLost) / (r.packetsReceived + r.packetsLost))
          : null,
    };
  };

  return LoadTestReportSchema.parse({
    target: options.url,
    startedAt: startedAt.toISOString(),
    seconds,
    settings: {
      meetings: options.meetings,
      publishersPerMeeting: options.publishers,
      subscribersPerMeeting: options.subscribers,
      decodersPerMeeting: Math.min(options.decoders, options.subscribers),
      subscriberThreads: options.threads,
      resolution: `${options.resolution.width}x${options.resolution.height}`,
      simulcast: options.simulcast,
      audioOnly: options.audioOnly,
      speakers: options.speakers,
      chatPerSecondPerMeeting: options.chatRate,
      joinsPerSecond: options.joinRate,
    },
    clients: {
      planned: options.meetings * (options.publishers + options.subscribers),
      joined: clients.filter((c) => c.joined).length,
      failed,
      withMedia: subscribers.filter((c) => c.receivedMedia).length,
    },
    media: { audio: row('audio'), video: row('video'), total: row('total'), srtpCiphers },
    joinMs: summarize(samples.joinMs, 50, 95),
    firstMediaMs: summarize(samples.firstMediaMs, 50, 95),
    videoLatencyMs: {
      ...summarize(samples.videoLatencyMs, 50, 95, 99),
      unreadableFrames: samples.unreadableFrames.count,
    },
    chat: {
      sent: chatSent,
      delivered: samples.chatLatencyMs.length,
      latencyMs: summarize(samples.chatLatencyMs, 50, 95, 99),
      ackMs: summarize(samples.chatAckMs, 50, 95, 99),
    },
    resources,
    forwarding: forwardingCost({
      window: steady ? 'steady' : 'run',
      seconds: steady?.seconds ?? null,
      packetsForwarded: steady?.packets ?? received.audio.packetsReceived + received.video.packetsReceived,
      subscribers: subscribers.filter((c) => c.joined).length,
      packetsPerSecond: steady ? steady.packets / steady.seconds : receivedPacketsPerSecond,
      workerCpuSeconds: steady
        ? resources.steady!.workerCpuSeconds
        : (resources.sfuWorkers?.cpuSeconds ?? null),
      serverCpuSeconds: steady ? resources.steady!.serverCpuSeconds : resources.server.cpuSeconds,
      workerRssStartMiB: resources.sfuWorkers?.rssAtStartMiB ?? null,
      workerRssPeakMiB: resources.sfuWorkers?.peakRssMiB ?? null,
    }),
    errors: errors.entries(),
    cleanup: {
      meetingsEnded: ended,
      meetingsCreated: meetings.length,
      meetingIds: meetings.map((m) => m.meetingId),
    },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const round2 = (n: number) => Math.round(n * 100) / 100;
