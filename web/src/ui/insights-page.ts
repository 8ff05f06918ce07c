import type { ChartConfiguration } from 'chart.js';
import type { VNode } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MeetingInsights } from '../../../protocol/insights-view';
import { api, ApiError } from '../api/rest-client';
import { preferences } from '../session/preferences';
import { Brand } from './home-page';
import { html } from './html';
import { ChartCanvas, PALETTE } from './insights-charts';

/** The credential that may read insights: the host's (this tab created the meeting) or an analyst's in the URL fragment. */
function insightsToken(meetingId: string): string | undefined {
  const fromFragment = /(?:^#|&)token=([^&]+)/.exec(location.hash)?.[1];
  return fromFragment ? decodeURIComponent(fromFragment) : preferences.hostToken(meetingId);
}

const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const shortId = (id: string) => id.slice(0, 6);

function formatDuration(ms: number | null): string {
  if (ms === null) return 'still running';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Meeting insights as people would rather see them: talk time as bars, people and quality over time as lines. */
export function InsightsPage(props: { meetingId: string }): VNode {
  const [insights, setInsights] = useState<MeetingInsights | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const token = insightsToken(props.meetingId);
    if (!token) {
      setError('Only the host (in the tab that created the meeting) or an analyst can see these insights.');
      return;
    }
    api
      .insights(props.meetingId, token)
      .then(setInsights)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : 'Could not load the insights.'));
    // Names come from the roster, which only the meeting's own people read: analysts see ids.
    api
      .participants(props.meetingId, token)
      .then(({ participants }) =>
        setNames(Object.fromEntries(participants.map((p) => [p.participantId, p.displayName]))),
      )
      .catch(() => undefined); // names are a nicety: ids will do
  }, [props.meetingId]);

  const nameOf = (id: string) => names[id] ?? shortId(id);
  const start = insights?.startedAt ? Date.parse(insights.startedAt) : 0;
  // The last moment the page knows of: the end, or the latest record.
  const lastTime = insights
    ? Math.max(
        start,
        ...insights.participantsOverTime.map((p) => Date.parse(p.time)),
        ...insights.qualityOverTime.map((q) => Date.parse(q.time)),
        insights.endedAt ? Date.parse(insights.endedAt) : 0,
      )
    : 0;
  // A short meeting reads better in seconds.
  const inSeconds = lastTime - start < 120_000;
  const unit = inSeconds ? 'seconds since start' : 'minutes since start';
  const sinceStart = (time: string | number) => {
    const ms = (typeof time === 'number' ? time : Date.parse(time)) - start;
    return inSeconds ? seconds(ms) : minutes(ms);
  };

  const talk = useMemo<ChartConfiguration | null>(
    () =>
      insights && {
        type: 'bar',
        data: {
          labels: insights.talkTime.map((t) => nameOf(t.participantId)),
          datasets: [
            {
              label: 'Talk time (s)',
              data: insights.talkTime.map((t) => seconds(t.totalMs)),
              backgroundColor: insights.talkTime.map((_, i) => PALETTE[i % PALETTE.length]!),
            },
          ],
        },
        options: {
          indexAxis: 'y',
          plugins: { legend: { display: false } },
          scales: { x: { title: { display: true, text: 'seconds' } } },
        },
      },
    [insights, names],
  );
  const people = useMemo<ChartConfiguration | null>(
    () =>
      insights && {
        type: 'line',
        data: {
          datasets: [
            {
              label: 'Participants',
              // The step line runs on to the last known moment at the last count.
              data: [
                ...insights.participantsOverTime.map((p) => ({ x: sinceStart(p.time), y: p.participants })),
                { x: sinceStart(lastTime), y: insights.participantsOverTime.at(-1)?.participants ?? 0 },
              ],
              borderColor: PALETTE[0],
              backgroundColor: PALETTE[0],
              stepped: true,
            },
          ],
        },
        options: {
          scales: {
            x: { type: 'linear', title: { display: true, text: unit } },
            y: { beginAtZero: true, ticks: { precision: 0 } },
          },
        },
      },
    [insights],
  );
  const quality = useMemo<ChartConfiguration | null>(() => {
    if (!insights) return null;
    const byParticipant = new Map<string, Array<{ x: number; y: number }>>();
    for (const q of insights.qualityOverTime) {
      if (q.mos === null) continue;
      const points = byParticipant.get(q.participantId) ?? [];
      points.push({ x: sinceStart(q.time), y: q.mos });
      byParticipant.set(q.participantId, points);
    }
    return {
      type: 'line',
      data: {
        datasets: [...byParticipant].map(([id, data], i) => ({
          label: nameOf(id),
          data,
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: {
        scales: {
          x: { type: 'linear', title: { display: true, text: unit } },
          y: { min: 1, max: 4.5, title: { display: true, text: 'MOS (E-model)' } },
        },
      },
    };
  }, [insights, names]);

  if (error)
    return html`<main class="centered-page">
      <${Brand} />
      <div class="card message-card" role="alert">
        <h1>Insights</h1>
        <p>${error}</p>
        <a class="btn btn-ghost" href="/">Back to home</a>
      </div>
    </main>`;
  if (!insights || !talk || !people || !quality)
    return html`<main class="centered-page">
      <${Brand} />
      <p class="muted" role="status">Loading insights…</p>
    </main>`;

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
  };
  const joinMedian = median(insights.joinToConnected.map((j) => j.ms));
  const frameMedian = median(insights.firstFrame.map((f) => f.ms));
  return html`<main class="insights-page">
    <header class="insights-head">
      <${Brand} />
      <h1>Meeting insights</h1>
    </header>
    <section class="insights-tiles" aria-label="Summary">
      <div class="tile-stat">
        <span class="muted">Duration</span><strong>${formatDuration(insights.durationMs)}</strong>
      </div>
      <div class="tile-stat">
        <span class="muted">Peak participants</span><strong>${insights.peakParticipants}</strong>
      </div>
      <div class="tile-stat">
        <span class="muted">Chat messages</span><strong>${insights.chat.total}</strong>
      </div>
      <div class="tile-stat">
        <span class="muted">Join to connected (median)</span
        ><strong>${joinMedian === null ? '—' : `${seconds(joinMedian)} s`}</strong>
      </div>
      <div class="tile-stat">
        <span class="muted">First video frame (median)</span
        ><strong>${frameMedian === null ? '—' : `${seconds(frameMedian)} s`}</strong>
      </div>
    </section>
    <section class="insights-grid">
      <article class="card chart-card" data-testid="talk-time">
        <h2>Talk time</h2>
        ${
          insights.talkTime.length > 0
            ? html`<${ChartCanvas}
                config=${talk}
                label="Talk time per participant, in seconds"
                testId="talk-time-chart"
              />`
            : html`<p class="muted">Nobody has spoken yet.</p>`
        }
      </article>
      <article class="card chart-card" data-testid="participants">
        <h2>Participants over time</h2>
        <${ChartCanvas} config=${people} label="Participants present over time" testId="participants-chart" />
      </article>
      <article class="card chart-card" data-testid="quality">
        <h2>Call quality over time</h2>
        ${
          insights.qualityOverTime.length > 0
            ? html`<${ChartCanvas}
                config=${quality}
                label="Estimated call quality (MOS) per participant over time"
                testId="quality-chart"
              />`
            : html`<p class="muted">No quality samples yet.</p>`
        }
      </article>
    </section>
  </main>`;
}
