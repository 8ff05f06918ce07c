import type { VNode } from 'preact';
import { html } from '../html';
import type { AuditVerdict } from './audit-api';

/** Intact or broken, and the newest signed head, at a glance. */
export function VerdictBadge({ verdict }: { verdict: AuditVerdict | null }): VNode {
  if (!verdict) return html`<div class="audit-verdict" data-state="checking">Verifying…</div>`;
  const latest = verdict.checkpoints.latest;
  const signed = latest
    ? `signed head: revision ${latest.revision}, ${new Date(latest.signedAt).toLocaleString()} (key ${latest.keyId})`
    : 'no signed checkpoint yet';
  if (verdict.intact)
    return html`<div class="audit-verdict" data-state="intact" role="status">
      <strong>✔ History intact</strong>
      <span>${verdict.events} events, chain verified · ${signed}</span>
    </div>`;
  return html`<div class="audit-verdict" data-state="broken" role="status">
    <strong>✖ History altered at revision ${verdict.brokenAt}</strong>
    <span>${verdict.reason} · ${signed}</span>
  </div>`;
}
