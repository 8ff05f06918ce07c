import { Store } from './store';

/** How this person arranges the stage: theirs alone, never sent to the server. */
export type LayoutMode = 'grid' | 'speaker';

export interface StageLayoutState {
  mode: LayoutMode;
  /** Hide my own camera tile from my stage (others still see me). */
  hideSelf: boolean;
  /** Who I pinned large on my own stage (for this meeting only). */
  pinnedId: string | null;
}

const LAYOUT_KEY = 'confer:layout';

/**
 * The stage's arrangement: the layout and whether to hide one's own tile are remembered in this
 * browser (like Meet and Zoom); a pin is for this meeting only.
 */
export class StageLayout {
  readonly store = new Store<StageLayoutState>({ ...readRemembered(), pinnedId: null });

  get state(): StageLayoutState {
    return this.store.get();
  }

  setMode(mode: LayoutMode): void {
    this.store.update((s) => (s.mode === mode ? s : { ...s, mode }));
    remember(this.state);
  }

  setHideSelf(hideSelf: boolean): void {
    this.store.update((s) => (s.hideSelf === hideSelf ? s : { ...s, hideSelf }));
    remember(this.state);
  }

  pin(participantId: string | null): void {
    this.store.update((s) => (s.pinnedId === participantId ? s : { ...s, pinnedId: participantId }));
  }
}

function readRemembered(): Pick<StageLayoutState, 'mode' | 'hideSelf'> {
  const fallback = { mode: 'grid', hideSelf: false } as const;
  try {
    const saved = JSON.parse(localStorage.getItem(LAYOUT_KEY) ?? 'null') as unknown;
    if (typeof saved !== 'object' || saved === null) return fallback;
    const { mode, hideSelf } = saved as Record<string, unknown>;
    return {
      mode: mode === 'speaker' ? 'speaker' : 'grid',
      hideSelf: hideSelf === true,
    };
  } catch {
    // Storage disabled or a value from elsewhere: start from the defaults.
    return fallback;
  }
}

function remember(state: StageLayoutState): void {
  try {
    localStorage.setItem(LAYOUT_KEY, JSON.stringify({ mode: state.mode, hideSelf: state.hideSelf }));
  } catch {
    // Storage may be disabled (private mode, policies): the choice lasts for this meeting only.
  }
}
