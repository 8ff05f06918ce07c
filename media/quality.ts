import type { ConnectionQuality } from '../protocol/signaling';
import type { Peer } from './peer';

/** Raw measurements of one participant's media, gathered from mediasoup's stats. */
export interface QualitySample {
  rttMs: number[];
  lossPct: number[];
  jitterMs: number[];
  scores: number[];
  bitrateBps: number;
  /** What the participant sends (the SFU receives) and receives (the SFU sends), bit/s. */
  sentBps: number;
  receivedBps: number;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const max = (values: number[]) => (values.length > 0 ? Math.max(...values) : null);
const mean = (values: number[]) =>
  values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;

/**
 * One participant's connection quality: the worst loss and jitter of what they send and receive
 * (a user feels the worst stream), the mean round-trip time, the total bitrate, and the lowest
 * mediasoup score (0–10: 10 is perfect).
 */
export function summarizeQuality(sample: QualitySample): ConnectionQuality {
  const rtt = mean(sample.rttMs);
  const loss = max(sample.lossPct);
  const jitter = max(sample.jitterMs);
  return {
    rttMs: rtt === null ? null : round(rtt),
    packetLossPct: loss === null ? null : round(loss),
    jitterMs: jitter === null ? null : round(jitter),
    bitrateKbps: round(sample.bitrateBps / 1000, 0),
    score: sample.scores.length > 0 ? Math.min(...sample.scores) : null,
  };
}

/** mediasoup reports loss as RTCP's fraction lost (0–255 out of 256). */
const fractionToPct = (fractionLost: number) => (fractionLost / 256) * 100;

/**
 * Consumers measured per participant and round: in a large meeting a participant has hundreds,
 * and a few random ones describe their downlink as well as all of them, at a fraction of the cost.
 */
const MAX_CONSUMERS_MEASURED = 8;

function sampleOf<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

export async function measurePeer(peer: Peer): Promise<QualitySample> {
  const sample: QualitySample = {
    rttMs: [],
    lossPct: [],
    jitterMs: [],
    scores: [],
    bitrateBps: 0,
    sentBps: 0,
    receivedBps: 0,
  };
  const ignoreClosed = () => [];
  await Promise.all([
    ...[...peer.transports.values()].map(async ({ transport }) => {
      for (const stat of await transport.getStats().catch(ignoreClosed)) {
        sample.bitrateBps += stat.recvBitrate + stat.sendBitrate;
        sample.sentBps += stat.recvBitrate;
        sample.receivedBps += stat.sendBitrate;
      }
    }),
    ...[...peer.producers.values()].map(async ({ producer }) => {
      // What the participant sends: loss and jitter seen by the SFU on arrival.
      const clockRate = producer.rtpParameters.codecs[0]?.clockRate ?? 90000;
      for (const stat of await producer.getStats().catch(ignoreClosed)) {
        sample.lossPct.push(fractionToPct(stat.fractionLost));
        sample.jitterMs.push((stat.jitter / clockRate) * 1000);
        sample.scores.push(stat.score);
        if (stat.roundTripTime !== undefined && stat.roundTripTime > 0) sample.rttMs.push(stat.roundTripTime);
      }
    }),
    ...sampleOf([...peer.consumers.values()], MAX_CONSUMERS_MEASURED).map(async ({ consumer }) => {
      // What the participant receives: loss and round trip from their receiver reports.
      if (consumer.paused || consumer.producerPaused) return;
      for (const stat of await consumer.getStats().catch(ignoreClosed)) {
        if (stat.type !== 'outbound-rtp') continue;
        sample.lossPct.push(fractionToPct(stat.fractionLost));
        if (stat.roundTripTime !== undefined && stat.roundTripTime > 0) sample.rttMs.push(stat.roundTripTime);
      }
      sample.scores.push(consumer.score.score);
    }),
  ]);
  return sample;
}

/** Raw samples of every participant of the room, keyed by participant id. */
export async function measureRoomSamples(peers: Iterable<Peer>): Promise<Record<string, QualitySample>> {
  const list = [...peers];
  const samples = await Promise.all(list.map((peer) => measurePeer(peer)));
  return Object.fromEntries(list.map((peer, i) => [peer.participantId, samples[i]!]));
}

export const summarizeRoom = (samples: Record<string, QualitySample>): Record<string, ConnectionQuality> =>
  Object.fromEntries(Object.entries(samples).map(([id, sample]) => [id, summarizeQuality(sample)]));

/** Quality of every participant of the room, keyed by participant id. */
export async function measureRoom(peers: Iterable<Peer>): Promise<Record<string, ConnectionQuality>> {
  return summarizeRoom(await measureRoomSamples(peers));
}
