import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { meetingUrl } from '../api/meeting-link';
import { html } from './html';
import { Icon } from './icons';

/** The host's "your meeting is ready": the link to share, a Copy button and the meeting code. */
export function InviteCard(props: { meetingId: string }): VNode {
  const link = meetingUrl(props.meetingId);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('yes');
    } catch {
      // No clipboard (permissions, http): the link is selectable text.
      setCopied('failed');
    }
  }
  return html`<section class="invite-card" role="region" aria-label="Your meeting is ready">
    <h2><${Icon} name="spark" size=${18} /> Your meeting is ready</h2>
    <p class="muted">Share this link with the people you want to meet.</p>
    <div class="invite-link">
      <input
        readonly
        aria-label="Meeting link"
        value=${link}
        onFocus=${(e: Event) => (e.target as HTMLInputElement).select()}
      />
      <button type="button" class="btn btn-small btn-primary" onClick=${copy}>
        <${Icon} name="copy" size=${14} /> ${copied === 'yes' ? 'Copied' : 'Copy link'}
      </button>
    </div>
    ${copied === 'failed' && html`<p class="hint" role="status">Copying is not allowed here: select the link and copy it.</p>`}
    <p class="invite-code">Meeting code: <strong>${props.meetingId}</strong></p>
  </section>`;
}
