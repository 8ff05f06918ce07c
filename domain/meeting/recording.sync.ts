import { z } from 'zod';

/**
 * The timing file the SFU's recorder writes beside a track's segments (`syncKey`) and the
 * pipeline reads to place the track on the recording's clock: the contract between the two.
 * Times are the SFU worker's clock (ms, monotonic, shared by every worker of one host);
 * `workerToWallMs` turns them into wall-clock ms, measured once per capture session so that its
 * tracks share it.
 */
export const TrackSyncFileSchema = z.object({
  clockRate: z.number().positive(),
  /** RTP timestamp of the first forwarded packet: pts 0 in the recorded segments. */
  firstRtpTs: z.number(),
  firstPacketWorkerMs: z.number(),
  workerToWallMs: z.number(),
  /** The consumer's RTCP sender reports (NTP in ms = worker time of forwarding, RTP ts). */
  senderReports: z.array(z.object({ ntpMs: z.number(), rtpTs: z.number() })).max(100_000),
  /**
   * The earliest arrival per second of media (media/recording/arrival-envelope.ts): the packet
   * that left its sender soonest after capture. Absent in files written before it existed.
   */
  earliestArrivals: z
    .array(z.object({ mediaMs: z.number(), workerMs: z.number() }))
    .max(100_000)
    .optional(),
  /**
   * The sender's own RTCP sender reports, as the recorder's consumer forwards its timeline
   * (the worker's "sr" trace, scripts/mediasoup/patch_sender_report_trace.py): its capture clock
   * (NTP ms) against RTP time. Absent when the sender sent none or the file predates them.
   */
  /** An audio track's frame length (ms): its sender reports stamp a frame when it is complete. */
  frameMs: z.number().positive().max(120).optional(),
  senderClock: z
    .array(z.object({ ntpMs: z.number(), rtpTs: z.number() }))
    .max(100_000)
    .optional(),
});
export type TrackSyncFile = z.infer<typeof TrackSyncFileSchema>;

const RTP_WRAP = 2 ** 32;

/** RTP timestamp distance from `from` to `ts`, unwrapped around 2^32 (assumes < 2^31 apart). */
export function rtpDelta(ts: number, from: number): number {
  let d = (ts - from) % RTP_WRAP;
  if (d > RTP_WRAP / 2) d -= RTP_WRAP;
  if (d < -RTP_WRAP / 2) d += RTP_WRAP;
  return d;
}
