import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { MeetingSession } from '../session/meeting-session';
import type { MeetingClientState } from '../session/meeting-state';
import { useStore } from '../session/store';

export const SessionContext = createContext<MeetingSession | null>(null);

export function useSession(): MeetingSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a meeting');
  return session;
}

/** A slice of the meeting's state; the component re-renders when that slice changes. */
export function useMeeting<S>(select: (state: MeetingClientState) => S): S {
  return useStore(useSession().store, select);
}
