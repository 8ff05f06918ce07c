import type { JoinAnswer } from '../api/rest-client';

/**
 * The participant this tab is in a meeting as, kept in the tab's sessionStorage (gone when the
 * tab closes, never shared with other tabs), so that a reload comes back as the same person
 * while the server still holds their place (the reconnection grace period), as a reconnect.
 */
export interface SavedSession {
  answer: JoinAnswer;
  /** What the person was sending when the page went away. */
  audio: boolean;
  video: boolean;
  /** The first frame after joining was reported (the server takes it once per participant). */
  firstFrameReported: boolean;
}

const key = (meetingId: string) => `confer:session:${meetingId}`;

export const savedSession = {
  read(meetingId: string): SavedSession | null {
    try {
      const raw = sessionStorage.getItem(key(meetingId));
      if (!raw) return null;
      const saved = JSON.parse(raw) as Partial<SavedSession>;
      const answer = saved.answer;
      if (!answer || typeof answer.token !== 'string' || typeof answer.participantId !== 'string')
        return null;
      return {
        answer,
        audio: saved.audio === true,
        video: saved.video === true,
        firstFrameReported: saved.firstFrameReported === true,
      };
    } catch {
      return null;
    }
  },
  write(meetingId: string, saved: SavedSession): void {
    try {
      sessionStorage.setItem(key(meetingId), JSON.stringify(saved));
    } catch {
      // Storage disabled: a reload joins anew, as before.
    }
  },
  forget(meetingId: string): void {
    try {
      sessionStorage.removeItem(key(meetingId));
    } catch {
      // See above.
    }
  },
};
