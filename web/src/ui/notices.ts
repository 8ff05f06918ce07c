import type { VNode } from 'preact';
import { html } from './html';
import { Icon } from './icons';
import { useMeeting, useSession } from './session-context';

/** Lasting conditions, shown above the stage until they pass: connection, media, devices. */
export function Notices(): VNode {
  const session = useSession();
  const connection = useMeeting((s) => s.connection);
  const media = useMeeting((s) => s.media);
  const cameraError = useMeeting((s) => s.local.cameraError);
  const microphoneError = useMeeting((s) => s.local.microphoneError);
  return html`<div class="notices">
    ${
      connection === 'reconnecting' &&
      html`<div class="notice notice-error" role="alert">
        <${Icon} name="wifiOff" />
        <span><strong>Connection lost.</strong> Reconnecting… you will be back where you left off.</span>
      </div>`
    }
    ${
      connection === 'online' &&
      (media.status === 'unavailable' || media.status === 'failed') &&
      html`<div class="notice notice-warn" role="status">
        <${Icon} name="cameraOff" />
        <span
          >${media.detail ?? 'Audio and video are not available right now.'} Chat, hands and the people list
          still work.</span
        >
        ${
          media.status === 'failed' &&
          html`<button class="btn btn-small btn-ghost" onClick=${() => session.retryMedia()}>
            Try again
          </button>`
        }
      </div>`
    }
    ${
      connection === 'online' &&
      media.status === 'connecting' &&
      html`<div class="notice notice-info" role="status">
        <span class="spinner small" aria-hidden="true"></span>
        <span>${media.detail ?? 'Connecting audio and video…'}</span>
      </div>`
    }
    ${cameraError && html`<div class="notice notice-warn" role="status"><${Icon} name="cameraOff" /><span>${cameraError}</span></div>`}
    ${
      microphoneError &&
      html`<div class="notice notice-warn" role="status">
        <${Icon} name="micOff" /><span>${microphoneError}</span>
      </div>`
    }
  </div>`;
}

/** Short-lived news ("Ann joined"), announced politely to screen readers. */
export function Toasts(): VNode {
  const session = useSession();
  const toasts = useMeeting((s) => s.toasts);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${toasts.map(
      (t) =>
        html`<div key=${t.id} class=${`toast toast-${t.tone} ${t.preview ? 'toast-chat' : ''}`}>
          ${
            t.preview
              ? html`<button class="toast-preview" title="Open chat" onClick=${() => t.preview?.open()}>
                  <${Icon} name="chat" size=${16} />
                  <span
                    ><strong>${t.preview.from}</strong>
                    <span class="toast-preview-text">${t.preview.text}</span></span
                  >
                </button>`
              : html`<span>${t.text}</span>`
          }
          ${
            t.action &&
            html`<button
              class="btn btn-small btn-primary"
              onClick=${() => {
                t.action?.run();
                session.dismissToast(t.id);
              }}
            >
              ${t.action.label}
            </button>`
          }
          <button class="icon-btn small" aria-label="Dismiss" onClick=${() => session.dismissToast(t.id)}>
            <${Icon} name="close" size=${14} />
          </button>
        </div>`,
    )}
  </div>`;
}
