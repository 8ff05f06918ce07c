import type { VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatLine } from '../session/meeting-state';
import { html } from './html';
import { Icon } from './icons';
import { linkify } from './linkify';
import { useMeeting, useSession } from './session-context';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** Messages of the meeting (history first, then live) and the box to write one. */
export function ChatPanel(): VNode {
  const session = useSession();
  const messages = useMeeting((s) => s.chat);
  const selfId = useMeeting((s) => s.selfId);
  const hasOlder = useMeeting((s) => s.chatBefore !== null);
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  // Keep the newest message in view when one arrives (unless the person scrolled up to read).
  const last = messages[messages.length - 1]?.messageId;
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const nearBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 120;
    const mine = messages[messages.length - 1]?.from === selfId;
    if (nearBottom || mine) el.scrollTop = el.scrollHeight;
  }, [last]);
  useEffect(() => input.current?.focus(), []);

  async function send(event?: Event) {
    event?.preventDefault();
    const text = draft.trim();
    if (!text || sending) return;
    setSending(true);
    // The box empties at once, as in any messenger: the message's broadcast can reach this page
    // before the server's answer does, and a box still holding the text it already shows reads
    // as "not sent". A refused message comes back into the box, unless the person started anew.
    setDraft('');
    const ok = await session.sendChat(text);
    setSending(false);
    if (!ok) setDraft((current) => (current === '' ? draft : current));
    input.current?.focus();
  }

  function onKey(event: KeyboardEvent) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) void send(event);
  }

  return html`<aside class="panel chat-panel" aria-label="Chat">
    <header class="panel-header">
      <h2>Chat</h2>
      <button class="icon-btn" aria-label="Close chat" onClick=${() => session.setPanel(null)}>
        <${Icon} name="close" />
      </button>
    </header>
    <ol class="chat-list" ref=${list} role="log" aria-live="polite" aria-label="Chat messages">
      ${
        hasOlder &&
        html`<li class="chat-older">
          <button class="btn btn-ghost btn-small" onClick=${() => session.loadOlderChat()}>
            Earlier messages
          </button>
        </li>`
      }
      ${messages.length === 0 && html`<li class="chat-empty">No messages yet. Say hello!</li>`}
      ${messages.map((m, i) => {
        const previous = messages[i - 1];
        return m.reaction
          ? html`<${ReactionLine} key=${m.messageId} line=${m} mine=${m.from === selfId} />`
          : html`<${ChatMessage}
              key=${m.messageId}
              message=${m}
              mine=${m.from === selfId}
              grouped=${previous?.from === m.from && !previous.reaction}
            />`;
      })}
    </ol>
    <form class="chat-form" onSubmit=${send}>
      <textarea
        ref=${input}
        aria-label="Chat message"
        placeholder="Write a message…"
        rows="1"
        maxlength="4096"
        value=${draft}
        onInput=${(e: Event) => setDraft((e.target as HTMLTextAreaElement).value)}
        onKeyDown=${onKey}
      ></textarea>
      <button
        class="icon-btn send-btn"
        type="submit"
        aria-label="Send message"
        disabled=${!draft.trim() || sending}
      >
        <${Icon} name="send" />
      </button>
    </form>
  </aside>`;
}

/** Someone's reaction, as a quiet line of its own between the messages. */
function ReactionLine(props: { line: ChatLine; mine: boolean }): VNode {
  const m = props.line;
  return html`<li class="chat-reaction" data-reaction=${m.reaction}>
    <span class="chat-author">${props.mine ? 'You' : m.fromName}</span>${' reacted '}<span
      class="chat-reaction-emoji"
      aria-hidden="true"
      >${m.reaction}</span
    >
    <span class="visually-hidden">${m.message}</span>
  </li>`;
}

function ChatMessage(props: { message: ChatLine; mine: boolean; grouped: boolean }): VNode {
  const m = props.message;
  const at = new Date(m.timestamp);
  return html`<li class=${`chat-message ${props.mine ? 'mine' : ''} ${props.grouped ? 'grouped' : ''}`}>
    ${
      !props.grouped &&
      html`<div class="chat-meta">
        <span class="chat-author">${props.mine ? 'You' : m.fromName}</span>
        <time datetime=${m.timestamp}>${Number.isNaN(at.getTime()) ? '' : time.format(at)}</time>
      </div>`
    }
    <p class="chat-text">
      ${linkify(m.message).map((piece) =>
        'href' in piece
          ? html`<a href=${piece.href} target="_blank" rel="noopener noreferrer">${piece.text}</a>`
          : piece.text,
      )}
    </p>
  </li>`;
}
