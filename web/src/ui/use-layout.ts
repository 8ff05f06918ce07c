import type { StageLayoutState } from '../session/stage-layout';
import { useStore } from '../session/store';
import { useSession } from './session-context';

/** A slice of this person's stage layout; the component re-renders when that slice changes. */
export function useLayout<S>(select: (state: StageLayoutState) => S): S {
  return useStore(useSession().layout.store, select);
}
