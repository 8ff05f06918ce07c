import type { VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { arrange, type Arrangement, type FocusReason } from '../session/stage-arrangement';
import { bestTileWidth } from './grid-layout';
import { html } from './html';
import { Icon } from './icons';
import { VideoView } from './media-view';
import { useMeeting, useSession } from './session-context';
import { useLayout } from './use-layout';
import { VideoTile } from './video-tile';

/** The element's content box, as a ResizeObserver's contentRect gives it. */
function contentSize(el: HTMLElement): { width: number; height: number } {
  const style = getComputedStyle(el);
  const px = (value: string) => Number.parseFloat(value) || 0;
  return {
    width: Math.max(0, el.clientWidth - px(style.paddingLeft) - px(style.paddingRight)),
    height: Math.max(0, el.clientHeight - px(style.paddingTop) - px(style.paddingBottom)),
  };
}

function useSize(): [(el: HTMLElement | null) => void, { width: number; height: number }] {
  const [size, setSize] = useState({ width: 0, height: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    // Measured now as well as on every resize: the observer's first report comes only at the next
    // frame, and until then a new layout would stand empty (no tiles, no width to give them). A
    // test reading the page between the two saw an empty grid under CI load (2026-12-05).
    setSize(contentSize(el));
    observer.current = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, size];
}

/**
 * The stage as session/stage-arrangement.ts arranges it: everyone in a grid; one person large
 * (pinned, spotlighted, or speaking in speaker view) with a filmstrip; or a shared screen with
 * people beside it.
 */
export function VideoStage(): VNode {
  const layout = useLayout((l) => l);
  // Compared as text: the arrangement is rebuilt on every change of the meeting, but the stage
  // re-renders only when it is different.
  const key = useMeeting((s) => JSON.stringify(arrange(s, layout)));
  const arrangement = JSON.parse(key) as Arrangement;
  switch (arrangement.kind) {
    case 'grid':
      return html`<${GridLayout} order=${arrangement.tiles} />`;
    case 'focus':
      return html`<${FocusLayout}
        main=${arrangement.main}
        reason=${arrangement.reason}
        strip=${arrangement.strip}
      />`;
    case 'presentation':
      return html`<${PresentationLayout}
        order=${arrangement.strip}
        presenterId=${arrangement.presenterId}
      />`;
    case 'empty':
      return html`<${EmptyStage} />`;
  }
}

function GridLayout(props: { order: string[] }): VNode {
  const [ref, size] = useSize();
  const count = props.order.length;
  const tileWidth = size.width > 0 ? bestTileWidth(size.width, size.height, count) : 0;
  return html`<div class="stage-grid" ref=${ref}>
    ${
      tileWidth > 0 &&
      props.order.map(
        (id) => html`<${VideoTile} key=${id} participantId=${id} style=${`width:${tileWidth}px`} />`,
      )
    }
  </div>`;
}

/** One person large, the others in a filmstrip beside (or, on a phone, below) them. */
function FocusLayout(props: { main: string; reason: FocusReason; strip: string[] }): VNode {
  const [ref, size] = useSize();
  const width = size.width > 0 ? bestTileWidth(size.width, size.height, 1) : 0;
  return html`<div class="stage-focus" data-focus=${props.reason}>
    <div class="focus-main" ref=${ref}>
      ${width > 0 && html`<${VideoTile} key=${props.main} participantId=${props.main} style=${`width:${width}px`} />`}
    </div>
    ${
      props.strip.length > 0 &&
      html`<div class="filmstrip">
        ${props.strip.map((id) => html`<${VideoTile} key=${id} participantId=${id} />`)}
      </div>`
    }
  </div>`;
}

function PresentationLayout(props: { order: string[]; presenterId: string }): VNode {
  const session = useSession();
  const name = useMeeting((s) =>
    props.presenterId === s.selfId
      ? 'You are'
      : `${s.participants[props.presenterId]?.displayName ?? 'Someone'} is`,
  );
  const screen = useMeeting((s) =>
    props.presenterId === s.selfId
      ? { track: s.local.screenTrack, consumerId: undefined }
      : s.remote[props.presenterId]?.screen,
  );
  const consumerId = screen?.consumerId;
  const watch = useCallback(
    (element: HTMLVideoElement) => (consumerId ? session.viewports.watch(element, consumerId) : undefined),
    [session, consumerId],
  );
  const section = useRef<HTMLElement>(null);
  const fullscreen = useFullscreen(section);
  return html`<div class="stage-presentation">
    <section
      class="screen-share"
      aria-label="Shared screen"
      data-presenter-id=${props.presenterId}
      ref=${section}
    >
      ${
        screen?.track &&
        html`<${VideoView} track=${screen.track} fit="contain" label="Shared screen" onElement=${watch} />`
      }
      <span class="screen-caption">${name} presenting</span>
      ${
        fullscreen.supported &&
        html`<button
          class="icon-btn screen-fullscreen"
          aria-label=${fullscreen.active ? 'Exit full screen' : 'Full screen'}
          title=${fullscreen.active ? 'Exit full screen (Esc)' : 'Show the shared screen full screen'}
          onClick=${fullscreen.toggle}
        >
          <${Icon} name=${fullscreen.active ? 'fullscreenExit' : 'fullscreen'} />
        </button>`
      }
    </section>
    ${
      props.order.length > 0 &&
      html`<div class="filmstrip">
        ${props.order.map((id) => html`<${VideoTile} key=${id} participantId=${id} />`)}
      </div>`
    }
  </div>`;
}

/** The Fullscreen API on one element: whether it is full screen now, and a toggle. */
function useFullscreen(target: { current: HTMLElement | null }) {
  const [active, setActive] = useState(false);
  useEffect(() => {
    const onChange = () =>
      setActive(document.fullscreenElement !== null && document.fullscreenElement === target.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  return {
    supported: document.fullscreenEnabled,
    active,
    toggle: () => {
      // A refusal (no user gesture, a policy) leaves the page as it is: nothing to report.
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      else void target.current?.requestFullscreen().catch(() => undefined);
    },
  };
}

/** Alone, with the self view hidden: say so, and offer it back. */
function EmptyStage(): VNode {
  const session = useSession();
  return html`<div class="stage-empty">
    <p>Your self view is hidden. Others still see you.</p>
    <button class="btn btn-ghost" onClick=${() => session.layout.setHideSelf(false)}>Show self view</button>
  </div>`;
}
