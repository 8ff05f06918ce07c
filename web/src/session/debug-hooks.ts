import type { InboundStat } from './media-session';
import type { MeetingSession } from './meeting-session';

/** Read-only hooks for tests and for a person debugging in the console (`__confer.state()`). */
export interface ConferDebugHooks {
  readonly participantId: string | null;
  readonly seq: number;
  state(): Record<string, unknown>;
  inboundStats(): Promise<InboundStat[]>;
  /** The SRTP suites this page's transports negotiated with the SFU (the browser's names). */
  srtpCiphers(): Promise<string[]>;
}

declare global {
  interface Window {
    __confer?: ConferDebugHooks;
  }
}

/** Points window.__confer at the current session (or at nothing between meetings). */
export function exposeDebugHooks(session: MeetingSession | null): void {
  window.__confer = {
    get participantId() {
      return session?.participantId ?? null;
    },
    get seq() {
      return session?.signaling.seq ?? -1;
    },
    state() {
      if (!session) return { phase: 'none' };
      return snapshot(session);
    },
    inboundStats: () => session?.inboundStats() ?? Promise.resolve([]),
    srtpCiphers: async () =>
      (await (session?.transportStats() ?? Promise.resolve([])))
        .filter((stat) => stat.type === 'transport' && typeof stat['srtpCipher'] === 'string')
        .map((stat) => String(stat['srtpCipher'])),
  };
}

/** The store without live objects (tracks cannot cross into a test's process). */
function snapshot(session: MeetingSession): Record<string, unknown> {
  const s = session.state;
  return {
    phase: s.phase,
    phaseDetail: s.phaseDetail,
    selfId: s.selfId,
    isHost: s.isHost,
    meeting: s.meeting,
    connection: s.connection,
    media: s.media,
    participants: s.order.map((id) => s.participants[id]).filter(Boolean),
    waiting: Object.values(s.waiting),
    activeSpeakerId: s.activeSpeakerId,
    spotlightId: s.spotlightId,
    reactions: s.reactions,
    layout: session.layout.state,
    chat: s.chat,
    unread: s.unread,
    local: {
      audio: s.local.audio,
      video: s.local.video,
      screen: s.local.screen,
      cameraError: s.local.cameraError,
      microphoneError: s.local.microphoneError,
      effects: session.activeEffects(),
    },
    remote: Object.fromEntries(
      Object.entries(s.remote).map(([id, media]) => [
        id,
        Object.fromEntries(
          Object.entries(media).map(([source, t]) => [
            source,
            { consumerId: t.consumerId, producerId: t.producerId, paused: t.paused },
          ]),
        ),
      ]),
    ),
    quality: s.quality,
    mediaRestarts: session.mediaRestarts.entries,
    disconnects: session.signaling.disconnects.entries,
  };
}
