import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { html } from './html';
import { Icon } from './icons';
import { useMeeting, useSession } from './session-context';

/** "Ann", "Ann and Bob", "Ann, Bob and 3 others". */
export function namesOf(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} and ${names[1]}`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]}`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
}

/**
 * The host's prompt while anyone waits, whether they knocked before the host came or after:
 * one person gets Admit / Deny, several get Admit all; View all opens the people list. It stays
 * until everyone is answered or the host puts it aside ("Later"), and comes back for a new knock.
 */
export function WaitingPrompt(): VNode | null {
  const session = useSession();
  // Co-hosts admit too.
  const isHost = useMeeting((s) => s.isHost || s.isCoHost);
  const panel = useMeeting((s) => s.panel);
  const waiting = useMeeting((s) => s.waiting);
  const [setAside, setSetAside] = useState<string>('');
  const ids = Object.keys(waiting);
  const key = ids.join(',');
  if (!isHost || ids.length === 0 || panel === 'people' || setAside === key) return null;
  const names = ids.map((id) => waiting[id]!.displayName);
  const single = ids.length === 1 ? ids[0]! : null;
  return html`<section class="waiting-prompt" role="region" aria-label="Waiting room requests">
    <p class="waiting-prompt-text">
      <${Icon} name="people" size=${18} />
      <span><strong>${namesOf(names)}</strong> ${single ? 'is' : 'are'} waiting to join</span>
    </p>
    <div class="waiting-prompt-actions">
      <button class="btn btn-small btn-ghost" onClick=${() => session.setPanel('people')}>View all</button>
      ${
        single
          ? html`<button class="btn btn-small btn-ghost" onClick=${() => void session.deny(single)}>
                Deny
              </button>
              <button class="btn btn-small btn-primary" onClick=${() => void session.admit(single)}>
                Admit
              </button>`
          : html`<button class="btn btn-small btn-primary" onClick=${() => void session.admitAll()}>
              Admit all
            </button>`
      }
      <button
        class="icon-btn small"
        aria-label="Later"
        title="Answer later"
        onClick=${() => setSetAside(key)}
      >
        <${Icon} name="close" size=${14} />
      </button>
    </div>
  </section>`;
}
