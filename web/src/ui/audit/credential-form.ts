import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { html } from '../html';

interface Props {
  meetingId: string;
  error: string | null;
  onCredential(token: string): void;
}

/** Where the auditor pastes the credential an operator minted (`npx confer token create --role auditor`). */
export function CredentialForm({ meetingId, error, onCredential }: Props): VNode {
  const [value, setValue] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const token = value.trim();
    if (token) onCredential(token);
  };
  return html`<main class="audit audit-login">
    <form class="audit-card" onSubmit=${submit}>
      <h1>Audit of meeting <code>${meetingId}</code></h1>
      <label for="audit-credential">Auditor credential</label>
      <textarea
        id="audit-credential"
        rows="4"
        autocomplete="off"
        spellcheck=${false}
        placeholder="Paste the token an operator gave you"
        value=${value}
        onInput=${(e: Event) => setValue((e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <p class="audit-hint">Kept in this tab only; never in the address bar.</p>
      ${error ? html`<p class="audit-error" role="alert">${error}</p>` : null}
      <button type="submit" class="audit-button">Open the audit</button>
    </form>
  </main>`;
}
