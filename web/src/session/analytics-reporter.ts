import { api } from '../api/rest-client';
import { figuresBetween, totalsOf, type StatsTotals } from './quality-report';
import type { InboundStat } from './media-session';

const QUALITY_EVERY_MS = 10_000;
const FIRST_FRAME_POLL_MS = 250;

/**
 * Reports this participant's connection to the analytics pipeline over REST (with their token):
 * a quality report every 10 s from getStats, and once the time from joining to the first decoded
 * remote video frame. Best effort: a refused or failed report is dropped, never retried in a loop.
 */
export class AnalyticsReporter {
  private qualityTimer: ReturnType<typeof setInterval> | undefined;
  private frameTimer: ReturnType<typeof setInterval> | undefined;
  private last: StatsTotals | undefined;
  private firstFrameSent: boolean;

  constructor(
    private readonly meetingId: string,
    private readonly token: string,
    private readonly startedAt: number,
    private readonly stats: {
      transportStats(): Promise<Array<{ type: string } & Record<string, unknown>>>;
      inboundStats(): Promise<InboundStat[]>;
    },
    /**
     * The page before a reload already reported this participant's first frame (the server takes
     * one per participant, and a second is refused): a tab that comes back does not again.
     */
    firstFrameReported = false,
  ) {
    this.firstFrameSent = firstFrameReported;
  }

  /** Whether this participant's first frame is reported (kept across a reload, saved-session.ts). */
  get firstFrameReported(): boolean {
    return this.firstFrameSent;
  }

  start(): void {
    this.qualityTimer ??= setInterval(() => void this.reportQuality(), QUALITY_EVERY_MS);
    if (!this.firstFrameSent)
      this.frameTimer ??= setInterval(() => void this.watchFirstFrame(), FIRST_FRAME_POLL_MS);
  }

  stop(): void {
    clearInterval(this.qualityTimer);
    clearInterval(this.frameTimer);
    this.qualityTimer = undefined;
    this.frameTimer = undefined;
  }

  private async reportQuality(): Promise<void> {
    const now = totalsOf(await this.stats.transportStats(), performance.now());
    const before = this.last;
    this.last = now;
    if (!before) return;
    await api
      .report(this.meetingId, this.token, { kind: 'quality', ...figuresBetween(before, now) })
      .catch(() => undefined);
  }

  private async watchFirstFrame(): Promise<void> {
    const video = (await this.stats.inboundStats()).some(
      (s) => s.kind === 'video' && (s.framesDecoded ?? 0) > 0,
    );
    if (!video || this.firstFrameSent) return;
    this.firstFrameSent = true;
    clearInterval(this.frameTimer);
    const ms = Math.round(performance.now() - this.startedAt);
    await api.report(this.meetingId, this.token, { kind: 'first-frame', ms }).catch(() => undefined);
  }
}
