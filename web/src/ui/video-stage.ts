import type { VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { presenter } from '../session/meeting-state';
import { bestTileWidth } from './grid-layout';
import { html } from './html';
import { VideoView } from './media-view';
import { useMeeting, useSession } from './session-context';
import { VideoTile } from './video-tile';

function useSize(): [(el: HTMLElement | null) => void, { width: number; height: number }] {
  const [size, setSize] = useState({ width: 0, height: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    observer.current = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, size];
}

/** Everyone in a grid, or, while someone shares a screen, the screen large and people beside it. */
export function VideoStage(): VNode {
  const order = useMeeting((s) => s.order);
  const shared = useMeeting(presenter);
  if (shared) return html`<${PresentationLayout} order=${order} presenterId=${shared.participantId} />`;
  return html`<${GridLayout} order=${order} />`;
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
  return html`<div class="stage-presentation">
    <section class="screen-share" aria-label="Shared screen" data-presenter-id=${props.presenterId}>
      ${
        screen?.track &&
        html`<${VideoView} track=${screen.track} fit="contain" label="Shared screen" onElement=${watch} />`
      }
      <span class="screen-caption">${name} presenting</span>
    </section>
    <div class="filmstrip">
      ${props.order.map((id) => html`<${VideoTile} key=${id} participantId=${id} />`)}
    </div>
  </div>`;
}
