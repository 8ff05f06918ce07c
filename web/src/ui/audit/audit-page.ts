import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/rest-client';
import { html } from '../html';
import {
  fetchStateAt,
  fetchTimelineWindow,
  fetchVerdict,
  storeCredential,
  storedCredential,
  type AuditVerdict,
  type StateAt,
  type TimelineEntry,
} from './audit-api';
import './audit.css';
import { CredentialForm } from './credential-form';
import { StatePanels } from './state-panels';
import { VerdictBadge } from './verdict-badge';

const explain = (error: unknown): string =>
  error instanceof ApiError
    ? error.status === 401 || error.status === 403
      ? `This credential may not read this meeting's audit (${error.code}).`
      : `${error.message} (${error.code})`
    : String(error);

/**
 * /audit/{meetingId}: an auditor's view of one meeting. A slider over its history; moving it
 * shows the roster, media states and chat as they were at that event, rebuilt by the server
 * from the events alone; the verification verdict sits on top.
 */
export function AuditPage({ meetingId }: { meetingId: string }): VNode {
  const [token, setToken] = useState<string | null>(storedCredential());
  const [error, setError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  /** The stream's head revision (the slider's end), known after the first answers. */
  const [head, setHead] = useState<number | null>(null);
  const [revision, setRevision] = useState(0);
  const [state, setState] = useState<StateAt | null>(null);
  const [nearby, setNearby] = useState<TimelineEntry[]>([]);
  const asked = useRef(0);

  useEffect(() => {
    if (!token) return;
    let live = true;
    Promise.all([fetchTimelineWindow(meetingId, token, 0, 1), fetchVerdict(meetingId, token)]).then(
      ([page, v]) => {
        if (!live) return;
        setVerdict(v);
        setHead(page.headRevision);
        setRevision(page.headRevision);
      },
      (e: unknown) => {
        if (!live) return;
        setError(explain(e));
        storeCredential(null);
        setToken(null);
      },
    );
    return () => {
      live = false;
    };
  }, [meetingId, token]);

  // The state and the surrounding history follow the slider (the last position asked wins).
  useEffect(() => {
    if (!token || head === null) return;
    const ask = ++asked.current;
    const timer = setTimeout(() => {
      fetchStateAt(meetingId, token, revision).then(
        (s) => ask === asked.current && setState(s),
        (e: unknown) => ask === asked.current && setError(explain(e)),
      );
      fetchTimelineWindow(meetingId, token, revision).then(
        (page) => ask === asked.current && setNearby(page.entries),
        (e: unknown) => ask === asked.current && setError(explain(e)),
      );
    }, 60);
    return () => clearTimeout(timer);
  }, [meetingId, token, head, revision]);

  if (!token)
    return html`<${CredentialForm}
      meetingId=${meetingId}
      error=${error}
      onCredential=${(t: string) => {
        storeCredential(t);
        setError(null);
        setToken(t);
      }}
    />`;

  const entry = nearby.find((t) => t.revision === revision);
  const shown = state;
  return html`<main class="audit">
    <header class="audit-header">
      <div>
        <h1>${shown?.title ?? 'Meeting'} <span class="audit-status">${shown?.status ?? ''}</span></h1>
        <p class="audit-sub">Audit of <code>${meetingId}</code></p>
      </div>
      <button
        class="audit-button audit-secondary"
        onClick=${() => {
          storeCredential(null);
          setToken(null);
        }}
      >
        Forget credential
      </button>
    </header>
    <${VerdictBadge} verdict=${verdict} />
    ${
      head !== null
        ? html`<section class="audit-scrubber" aria-label="Timeline">
            <label for="audit-slider">
              Revision <strong id="audit-revision">${revision}</strong> of ${head}
              ${entry ? html` · <time id="audit-time">${new Date(entry.at).toLocaleString()}</time>` : null}
            </label>
            <input
              id="audit-slider"
              type="range"
              min="0"
              max=${head}
              step="1"
              value=${revision}
              onInput=${(e: Event) => setRevision(Number((e.target as HTMLInputElement).value))}
            />
            <p id="audit-event" class="audit-event">${entry ? entry.summary : ''}</p>
          </section>`
        : html`<p class="audit-empty">Loading the history…</p>`
    }
    ${error ? html`<p class="audit-error" role="alert">${error}</p>` : null}
    ${shown ? html`<${StatePanels} state=${shown} stale=${shown.revision !== revision} />` : null}
    ${
      nearby.length > 0
        ? html`<section class="audit-panel audit-timeline">
            <h2>History around revision ${revision}</h2>
            <ol>
              ${nearby.map(
                (t) =>
                  html`<li key=${t.revision} data-current=${t.revision === revision}>
                    <button class="audit-link" onClick=${() => setRevision(t.revision)}>
                      <span class="audit-rev">#${t.revision}</span>
                      <time>${new Date(t.at).toLocaleTimeString()}</time>
                      <span>${t.summary}</span>
                      ${t.node ? html`<span class="audit-node">${t.node}</span>` : null}
                    </button>
                  </li>`,
              )}
            </ol>
          </section>`
        : null
    }
  </main>`;
}
