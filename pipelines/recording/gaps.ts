import type { Caption, Chapter } from './recording-plan';

/**
 * Where nothing was recorded (pure): the stretches of the recording that no track covers, such as
 * the seconds between a recording node's death and the capture resuming on the node the meeting
 * moved to. The file says so itself, with a chapter and a caption at each gap, instead of showing
 * a silent black picture nobody can explain.
 */
export interface Covered {
  startSeconds: number;
  endSeconds: number;
}

/**
 * Uncovered stretches of [0, duration] at least `minSeconds` long. A second: a recording node's
 * failover can be that quick (1.5–4 s measured, the meeting moved to a live node), and a viewer
 * should be told; shorter is a key-frame wait or a segment boundary.
 */
export function uncovered(covered: readonly Covered[], durationSeconds: number, minSeconds = 1): Covered[] {
  const sorted = [...covered]
    .map((c) => ({
      startSeconds: Math.max(0, c.startSeconds),
      endSeconds: Math.min(durationSeconds, c.endSeconds),
    }))
    .filter((c) => c.endSeconds > c.startSeconds)
    .sort((a, b) => a.startSeconds - b.startSeconds);
  const gaps: Covered[] = [];
  let reached = 0;
  for (const c of sorted) {
    if (c.startSeconds - reached >= minSeconds)
      gaps.push({ startSeconds: reached, endSeconds: c.startSeconds });
    reached = Math.max(reached, c.endSeconds);
  }
  if (durationSeconds - reached >= minSeconds)
    gaps.push({ startSeconds: reached, endSeconds: durationSeconds });
  return gaps;
}

const clock = (s: number) => {
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};

/**
 * The plan's chapters with one for each gap and one where recording resumes, in time order. A gap
 * at the very start is the capture starting up (the key-frame wait): it is not marked.
 */
export function markGaps(
  chapters: readonly Chapter[],
  captions: readonly Caption[],
  gaps: readonly Covered[],
): { chapters: Chapter[]; captions: Caption[] } {
  const marked = gaps.filter((g) => g.startSeconds > 0);
  const extraChapters = marked.flatMap((g) => [
    { startSeconds: g.startSeconds, title: `Nothing recorded for ${clock(g.endSeconds - g.startSeconds)}` },
    { startSeconds: g.endSeconds, title: 'Recording resumed' },
  ]);
  const extraCaptions = marked.map((g) => ({
    startSeconds: g.startSeconds,
    endSeconds: g.endSeconds,
    text: `[Nothing was recorded from ${clock(g.startSeconds)} to ${clock(g.endSeconds)}]`,
  }));
  const byStart = <T extends { startSeconds: number }>(a: T, b: T) => a.startSeconds - b.startSeconds;
  return {
    chapters: [...chapters, ...extraChapters].sort(byStart),
    captions: [...captions, ...extraCaptions].sort(byStart),
  };
}
