import type { VNode } from 'preact';
import type { ParticipantView } from '../../../protocol/signaling';
import { html } from './html';
import { useMeeting, useSession } from './session-context';

/**
 * A host's or co-host's actions on one person, opened from the person's row ("More actions for
 * …"): ask them to unmute (never unmuted by force), turn their camera off (they may turn it on
 * again), and, for the host, make them co-host or take it back. It unfolds under the row rather
 * than floating, so the panel's scrolling never clips it on a phone.
 */
export function PersonMenu(props: { person: ParticipantView; onDone(): void }): VNode {
  const session = useSession();
  const isHost = useMeeting((s) => s.isHost);
  const p = props.person;
  const act = (action: () => Promise<unknown>) => () => {
    props.onDone();
    void action();
  };
  return html`<div class="person-menu" role="group" aria-label=${`Actions for ${p.displayName}`}>
    ${
      !p.audioEnabled &&
      html`<button
        class="btn btn-small btn-ghost"
        aria-label=${`Ask ${p.displayName} to unmute`}
        onClick=${act(() => session.askToUnmute(p.participantId))}
      >
        Ask to unmute
      </button>`
    }
    ${
      p.videoEnabled &&
      html`<button
        class="btn btn-small btn-ghost"
        aria-label=${`Turn off ${p.displayName}'s camera`}
        onClick=${act(() => session.turnCameraOff(p.participantId))}
      >
        Turn camera off
      </button>`
    }
    ${
      isHost &&
      p.role !== 'host' &&
      (p.role === 'co-host'
        ? html`<button
            class="btn btn-small btn-ghost"
            aria-label=${`Remove ${p.displayName} as co-host`}
            onClick=${act(() => session.setCoHost(p.participantId, false))}
          >
            Remove co-host
          </button>`
        : html`<button
            class="btn btn-small btn-ghost"
            aria-label=${`Make ${p.displayName} a co-host`}
            onClick=${act(() => session.setCoHost(p.participantId, true))}
          >
            Make co-host
          </button>`)
    }
  </div>`;
}
