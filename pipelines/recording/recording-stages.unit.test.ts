import { describe, expect, it } from 'vitest';
import type { MeetingEvent } from '../../domain/meeting/meeting.events';
import { alignTrack, alignTracks, rtpDelta } from './align';
import { chaptersMetadata, chatSubtitles, concatList } from './compose-args';
import { markGaps, uncovered } from './gaps';
import { layoutEpochs } from './layout';
import { planRecording, type TimedEvent } from './recording-plan';

const R = 'rec_aaaaaaaaaa';
const at = (seconds: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + seconds * 1000).toISOString();
const t = (seconds: number, event: MeetingEvent): TimedEvent => ({ event, occurredAt: at(seconds) });
const joined = (participantId: string, displayName: string): MeetingEvent => ({
  type: 'ParticipantJoined',
  data: {
    participantId,
    displayName,
    userId: null,
    role: 'participant',
    deviceId: null,
    audioEnabled: true,
    videoEnabled: true,
  },
});
const segment = (trackId: string, sequence: number): MeetingEvent => ({
  type: 'RecordingSegmentStored',
  data: {
    recordingId: R,
    trackId,
    participantId: 'a',
    source: 'camera',
    kind: 'video',
    sequence,
    key: `k/${trackId}/${sequence}`,
    sizeBytes: 1,
  },
});

describe('the plan of a recording', () => {
  const history = [
    t(0, joined('a', 'Ann')),
    t(10, { type: 'RecordingStarted', data: { recordingId: R } }),
    t(11, segment('t1', 1)),
    t(11, segment('t1', 0)),
    t(12, segment('t1', 1)),
    t(20, joined('b', 'Ben')),
    t(20.5, { type: 'ActiveSpeakerChanged', data: { participantId: 'b' } }),
    t(30, { type: 'MediaStateChanged', data: { participantId: 'b', kind: 'screen', enabled: true } }),
    t(40, {
      type: 'ChatMessageSent',
      data: { messageId: 'm', senderId: 'b', senderName: 'Ben', content: 'hi' },
    }),
    t(42, {
      type: 'ChatMessageSent',
      data: { messageId: 'n', senderId: 'a', senderName: 'Ann', content: 'hello' },
    }),
    t(70, { type: 'RecordingStopped', data: { recordingId: R, reason: 'host-stopped' } }),
    t(71, segment('t1', 2)),
    t(80, { type: 'ParticipantLeft', data: { participantId: 'b', reason: 'left' } }),
  ];
  const plan = planRecording(history, R);

  it('spans start to stop, on the recording clock', () => {
    expect(plan.durationSeconds).toBe(60);
    expect(plan.startedAtMs).toBe(Date.parse(at(10)));
  });
  it('keeps each segment once, in order, including the one that closed after the stop', () => {
    expect(plan.tracks).toHaveLength(1);
    expect(plan.tracks[0]!.segments.map((s) => s.sequence)).toEqual([0, 1, 2]);
    expect(plan.tracks[0]!.displayName).toBe('Ann');
  });
  it('makes chapters of joins, speakers and screen shares in the window, merging those under a second apart', () => {
    expect(plan.chapters).toEqual([
      { startSeconds: 0, title: 'Recording started' },
      { startSeconds: 10, title: 'Ben joined; Ben speaks' },
      { startSeconds: 20, title: 'Ben shares the screen' },
    ]);
  });
  it('turns the chat into captions that give way to the next one', () => {
    expect(plan.chat).toEqual([
      { startSeconds: 30, endSeconds: 32, text: 'Ben: hi' },
      { startSeconds: 32, endSeconds: 38, text: 'Ann: hello' },
    ]);
  });
  it('refuses a recording the meeting never started', () => {
    expect(() => planRecording(history, 'rec_zzzzzzzzzz')).toThrow(/never started/);
  });
});

describe('alignment of a track on the recording clock', () => {
  const base = { clockRate: 90_000, firstRtpTs: 1000, firstPacketWorkerMs: 4990, workerToWallMs: 1_000_000 };

  it('given earliest arrivals, places pts 0 under the fastest packet, not the average one', () => {
    // Media captured from worker 5000 ms; most windows' best packet still came 60–200 ms late
    // (a loaded encoder), two came 4 ms after capture.
    const earliestArrivals = Array.from({ length: 30 }, (_, i) => ({
      mediaMs: i * 1000 + 10,
      workerMs: 5000 + i * 1000 + 10 + (i === 7 || i === 21 ? 4 : 60 + ((i * 53) % 140)),
    }));
    const a = alignTrack({ ...base, senderReports: [], earliestArrivals });
    expect(a).toEqual({ zeroWallMs: 1_005_004, rate: 1, method: 'earliest-arrival' });
  });

  it('given over a minute of earliest arrivals from a fast clock, finds its rate and keeps the envelope', () => {
    // Audio whose clock runs 1000 ppm fast: a media second takes 1/1.001 real seconds.
    const earliestArrivals = Array.from({ length: 120 }, (_, i) => ({
      mediaMs: i * 1000,
      workerMs: 5000 + (i * 1000) / 1.001 + 2 + (i % 3) * 3,
    }));
    const a = alignTrack({ ...base, clockRate: 48_000, senderReports: [], earliestArrivals });
    expect(a.method).toBe('earliest-arrival');
    expect(a.rate).toBeCloseTo(1 / 1.001, 5);
    expect(a.zeroWallMs - 1_005_000).toBeGreaterThanOrEqual(1.5);
    expect(a.zeroWallMs - 1_005_000).toBeLessThanOrEqual(2.5);
  });

  it('given only sender reports (an older timing file), fits a line through them', () => {
    // 48 kHz audio whose clock runs 1000 ppm fast: 1 real s = 48048 ticks; pts 0 at worker 5000 ms.
    const senderReports = Array.from({ length: 90 }, (_, i) => ({
      ntpMs: 5000 + i * 1000,
      rtpTs: 1000 + Math.round(i * 48048),
    }));
    const a = alignTrack({ ...base, clockRate: 48000, senderReports });
    expect(a.method).toBe('rtcp-fit');
    expect(a.zeroWallMs).toBeCloseTo(1_005_000, 3);
    expect(a.rate).toBeCloseTo(1 / 1.001, 6);
  });

  it('given nothing but the first packet, falls back to it; RTP timestamps unwrap', () => {
    expect(
      alignTrack({
        clockRate: 90000,
        firstRtpTs: 0,
        firstPacketWorkerMs: 10,
        workerToWallMs: 5,
        senderReports: [],
        earliestArrivals: [],
      }),
    ).toEqual({ zeroWallMs: 15, rate: 1, method: 'first-packet' });
    expect(rtpDelta(5, 2 ** 32 - 5)).toBe(10);
    expect(rtpDelta(2 ** 32 - 5, 5)).toBe(-10);
  });
});

describe("alignment of a participant's tracks by the sender's clock", () => {
  // The sender's capture clock (NTP ms) and the worker's differ by an unknown amount; the sender
  // captured its audio's pts 0 at NTP 3_900_000_010_000 and its video's 37 ms later.
  const NTP0 = 3_900_000_010_000;
  const audio = {
    clockRate: 48_000,
    firstRtpTs: 500,
    firstPacketWorkerMs: 7030,
    workerToWallMs: 1_000_000,
    senderReports: [],
    // Audio leaves 12 ms after capture at best: worker 7000 is the capture of its pts 0.
    earliestArrivals: Array.from({ length: 20 }, (_, i) => ({
      mediaMs: i * 1000 + 20,
      workerMs: 7000 + i * 1000 + 20 + (i === 4 ? 12 : 25),
    })),
    // Stamped when each 20 ms frame was complete: pts 0's frame at NTP0 + 20.
    frameMs: 20,
    senderClock: Array.from({ length: 20 }, (_, i) => ({
      ntpMs: NTP0 + 20 + i * 1000,
      rtpTs: 500 + i * 48_000,
    })),
  };
  const video = {
    clockRate: 90_000,
    firstRtpTs: 2 ** 32 - 9000,
    firstPacketWorkerMs: 7300,
    workerToWallMs: 1_000_000,
    senderReports: [],
    // A starved encoder: no video frame left sooner than 150 ms after capture.
    earliestArrivals: Array.from({ length: 20 }, (_, i) => ({
      mediaMs: i * 1000,
      workerMs: 7037 + i * 1000 + 150 + ((i * 37) % 90),
    })),
    senderClock: Array.from({ length: 20 }, (_, i) => ({
      ntpMs: NTP0 + 37 + i * 1000 + 3,
      // RTP wraps: pts 0 is 2^32 − 9000; an SR 3 ms after a frame extrapolates by 270 ticks.
      rtpTs: (2 ** 32 - 9000 + i * 90_000 + 270) % 2 ** 32,
    })),
  };

  it("given both tracks with sender reports, keeps the sender's phase whatever the encoder's delay", () => {
    const aligned = alignTracks([
      { trackId: 'a', participantId: 'p', sync: audio },
      { trackId: 'v', participantId: 'p', sync: video },
    ]);
    const a = aligned.get('a')!;
    const v = aligned.get('v')!;
    expect([a.method, v.method]).toEqual(['sender-clock', 'sender-clock']);
    // Audio set the place (12 ms after capture); video's fastest packet came 150 ms after its
    // capture: it leads its packets by the 138 ms more its encoder took.
    expect([a.leadMs, v.leadMs]).toEqual([0, 138]);
    // Video's pts 0 was captured 37 ms after audio's; the arrivals alone would say ~187 ms.
    expect(v.zeroWallMs - a.zeroWallMs).toBeCloseTo(37, 6);
    // Placed by the fastest packet of either track: audio's, 12 ms after its frame was complete.
    expect(a.zeroWallMs).toBeCloseTo(1_007_012, 6);
    const byArrival = alignTracks([
      { trackId: 'a', participantId: 'p', sync: { ...audio, senderClock: undefined } },
      { trackId: 'v', participantId: 'p', sync: { ...video, senderClock: undefined } },
    ]);
    expect(byArrival.get('v')!.method).toBe('earliest-arrival');
    expect(byArrival.get('v')!.zeroWallMs - byArrival.get('a')!.zeroWallMs).toBeGreaterThan(150);
  });

  it('given sender reports that put a track seconds away from its packets, keeps the arrivals', () => {
    // A wrong mapping: the video's reports say it was captured 5 s before its packets could show.
    const wrong = {
      ...video,
      senderClock: video.senderClock.map((r) => ({ ntpMs: r.ntpMs - 5000, rtpTs: r.rtpTs })),
    };
    const aligned = alignTracks([
      { trackId: 'a', participantId: 'p', sync: audio },
      { trackId: 'v', participantId: 'p', sync: wrong },
    ]);
    expect([aligned.get('a')!.method, aligned.get('v')!.method]).toEqual([
      'earliest-arrival',
      'earliest-arrival',
    ]);
  });

  it("given one clocked track, or tracks of different people, never mixes one sender's clock with another's", () => {
    const single = alignTracks([
      { trackId: 'a', participantId: 'p', sync: audio },
      { trackId: 'v', participantId: 'p', sync: { ...video, senderClock: [] } },
    ]);
    expect([single.get('a')!.method, single.get('v')!.method]).toEqual([
      'earliest-arrival',
      'earliest-arrival',
    ]);
    const apart = alignTracks([
      { trackId: 'a', participantId: 'p', sync: audio },
      { trackId: 'v', participantId: 'q', sync: video },
    ]);
    expect(apart.get('v')!.method).toBe('earliest-arrival');
  });
});

describe('layout', () => {
  it('follows who is on camera, and gives a screen share most of the picture', () => {
    const epochs = layoutEpochs(
      [
        { trackId: 'a', source: 'camera', startSeconds: 0, endSeconds: 60 },
        { trackId: 'b', source: 'camera', startSeconds: 10, endSeconds: 60 },
        { trackId: 's', source: 'screen', startSeconds: 30, endSeconds: 40 },
      ],
      60,
    );
    expect(epochs.map((e) => [e.startSeconds, e.endSeconds, e.tiles.map((t) => t.trackId).join()])).toEqual([
      [0, 10, 'a'],
      [10, 30, 'a,b'],
      [30, 40, 's,a,b'],
      [40, 60, 'a,b'],
    ]);
    expect(epochs[0]!.tiles[0]).toEqual({ trackId: 'a', x: 0, y: 0, width: 1280, height: 720 });
    expect(epochs[2]!.tiles[0]).toMatchObject({ trackId: 's', x: 0, width: 960, height: 720 });
  });
});

describe('files for ffmpeg', () => {
  it('concat lists carry each segment’s exact duration (no drift at the joins)', () => {
    expect(
      concatList([
        { path: '/w/a.mkv', startSeconds: 0.02 },
        { path: "/w/b'.mkv", startSeconds: 4.02 },
        { path: '/w/c.mkv', startSeconds: 8.0 },
      ]),
    ).toBe(
      "ffconcat version 1.0\nfile '/w/a.mkv'\nduration 4\nfile '/w/b'\\''.mkv'\nduration 3.98\nfile '/w/c.mkv'\n",
    );
  });
  it('chapters and captions escape what people typed', () => {
    expect(chaptersMetadata('a=b;c', [{ startSeconds: 0, title: 'x#y' }], 2)).toBe(
      ';FFMETADATA1\ntitle=a\\=b\\;c\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=2000\ntitle=x\\#y\n',
    );
    expect(chatSubtitles([{ startSeconds: 61.5, endSeconds: 65, text: 'Ann: <b>hi</b>' }])).toBe(
      '1\n00:01:01,500 --> 00:01:05,000\nAnn: ‹b›hi‹/b›\n',
    );
  });
});

describe('gaps in a recording', () => {
  it('given tracks that stop at 20 s and resume at 31 s, finds the gap; a short start-up wait is no gap', () => {
    const covered = [
      { startSeconds: 0.8, endSeconds: 20 },
      { startSeconds: 1, endSeconds: 19.5 },
      { startSeconds: 31, endSeconds: 60 },
    ];
    expect(uncovered(covered, 60)).toEqual([{ startSeconds: 20, endSeconds: 31 }]);
    // A quick failover still leaves a second and a half of nothing: marked. Half a second is not.
    expect(
      uncovered(
        [
          { startSeconds: 0, endSeconds: 20 },
          { startSeconds: 21.5, endSeconds: 40 },
          { startSeconds: 40.5, endSeconds: 60 },
        ],
        60,
      ),
    ).toEqual([{ startSeconds: 20, endSeconds: 21.5 }]);
    expect(uncovered([{ startSeconds: 5, endSeconds: 50 }], 60)).toEqual([
      { startSeconds: 0, endSeconds: 5 },
      { startSeconds: 50, endSeconds: 60 },
    ]);
  });
  it('given a gap, the file gets a chapter where it starts, one where recording resumes, and a caption over it', () => {
    const marked = markGaps(
      [
        { startSeconds: 0, title: 'Recording started' },
        { startSeconds: 40, title: 'Ben joined' },
      ],
      [{ startSeconds: 10, endSeconds: 12, text: 'Ann: hi' }],
      [
        { startSeconds: 0, endSeconds: 1.5 },
        { startSeconds: 20, endSeconds: 31 },
      ],
    );
    expect(marked.chapters).toEqual([
      { startSeconds: 0, title: 'Recording started' },
      { startSeconds: 20, title: 'Nothing recorded for 0:11' },
      { startSeconds: 31, title: 'Recording resumed' },
      { startSeconds: 40, title: 'Ben joined' },
    ]);
    expect(marked.captions).toEqual([
      { startSeconds: 10, endSeconds: 12, text: 'Ann: hi' },
      { startSeconds: 20, endSeconds: 31, text: '[Nothing was recorded from 0:20 to 0:31]' },
    ]);
  });
});
