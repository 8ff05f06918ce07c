import type {
  AnyServerMessage,
  ErrorBody,
  JoinResult,
  MediaType,
  ReactionEmoji,
} from '../../../protocol/signaling';
import { api, type JoinAnswer } from '../api/rest-client';
import { errorText } from '../api/error-text';
import { AnalyticsReporter } from './analytics-reporter';
import type { EffectName } from './effects/start-effect';
import { MediaSession } from './media-session';
import { RecentLog } from './recent-log';
import {
  applyJoinResult,
  initialState,
  mergeChat,
  setRemoteTrack,
  type MeetingClientState,
  type Panel,
  type Phase,
  type Toast,
} from './meeting-state';
import { hostNotice } from './host-notices';
import { reduceMessage } from './message-reducer';
import { Publishing, type LocalTracks } from './publishing';
import { hideReaction, REACTION_SHOWN_MS } from './reactions-state';
import { StageLayout } from './stage-layout';
import { SignalingClient, SignalingError } from './signaling-client';
import { Store } from './store';
import { ViewportReporter } from './viewport-reporter';

export type { LocalTracks } from './publishing';

const ENDED_PHASES: Phase[] = ['left', 'removed', 'ended', 'denied', 'expired', 'failed'];
const TOAST_MS = 5000;
const YOU_ENDED = 'You ended the meeting for everyone.';

/**
 * One person in one meeting: the socket, the media, and the state the views render. Views call
 * the action methods; the server's answers and broadcasts change the store.
 */
export class MeetingSession {
  readonly store: Store<MeetingClientState>;
  readonly signaling: SignalingClient;
  readonly viewports: ViewportReporter;
  /** This person's own arrangement of the stage (grid or speaker, pin, self view). */
  readonly layout = new StageLayout();
  private readonly media: MediaSession;
  private readonly publishing: Publishing;
  private mediaStarted = false;
  /** Why and when media was (re)negotiated, newest last: a person debugging a frozen tile asks this first. */
  readonly mediaRestarts = new RecentLog<{ why: string }>();
  private historyLoaded = false;
  private toastId = 0;
  private disposed = false;
  private readonly reporter: AnalyticsReporter;
  private endingForAll = false;

  constructor(
    readonly meetingId: string,
    private readonly joined: JoinAnswer,
    tracks: LocalTracks,
    /** After a reload (saved-session.ts): what the page before it had already reported. */
    options: { firstFrameReported?: boolean } = {},
  ) {
    this.store = new Store(initialState(meetingId, joined.participantId, joined.role === 'host'));
    this.store.update((s) => ({ ...s, phase: joined.status === 'waiting' ? 'waiting' : 'connecting' }));
    this.signaling = new SignalingClient(
      joined.webSocketUrl,
      joined.token,
      {
        onMessage: (message) => this.onMessage(message),
        onJoined: (result, rejoin) => this.onJoined(result, rejoin),
        onConnectionChange: (connection) => this.store.update((s) => ({ ...s, connection })),
        onRefused: (error) => this.onRefused(error),
      },
      // The node may die: the page's own server says where the meeting went.
      async () => (await api.connection(meetingId, joined.token)).webSocketUrl,
    );
    this.viewports = new ViewportReporter(this.signaling);
    this.media = new MediaSession(this.signaling, joined.iceServers, {
      onStatus: (status, detail) => this.store.update((s) => ({ ...s, media: { status, detail } })),
      onRemoteTrack: (participantId, source, track) =>
        this.store.update((s) => setRemoteTrack(s, participantId, source, track)),
      onRemotePaused: (participantId, source, paused) =>
        this.store.update((s) => {
          const current = s.remote[participantId]?.[source];
          return current ? setRemoteTrack(s, participantId, source, { ...current, paused }) : s;
        }),
      onScreenEnded: () => void this.publishing.stopScreen(),
    });
    this.publishing = new Publishing(
      {
        store: this.store,
        media: this.media,
        record: (type, mediaType) => this.perform(() => this.signaling.request(type, { mediaType })),
        toast: (text, tone) => this.toast(text, tone),
      },
      tracks,
    );
    this.reporter = new AnalyticsReporter(
      meetingId,
      joined.token,
      performance.now(),
      this.media,
      options.firstFrameReported === true,
    );
  }

  /** The join answer this session runs on (kept by the tab so that a reload reconnects). */
  get joinAnswer(): JoinAnswer {
    return this.joined;
  }

  /** Whether this participant's time to first frame is reported (a reload must not report it twice). */
  get firstFrameReported(): boolean {
    return this.reporter.firstFrameReported;
  }

  get participantId(): string {
    return this.joined.participantId;
  }

  get state(): MeetingClientState {
    return this.store.get();
  }

  // ── Server → client ─────────────────────────────────────────────────────────

  private onJoined(result: JoinResult, rejoin: boolean): void {
    const wasWaiting = this.state.phase === 'waiting';
    const self = result.self;
    this.store.update((s) => applyJoinResult(s, result));
    if (self.status !== 'joined') return;
    this.publishing.settle(self.audioEnabled, self.videoEnabled);
    if (result.media) this.reporter.start();
    if (!result.media) {
      this.store.update((s) => ({
        ...s,
        media: {
          status: 'unavailable',
          detail: 'Audio and video are not available right now.',
        },
      }));
    } else if (!this.mediaStarted || rejoin || wasWaiting) {
      // After a reconnection the SFU has closed this person's transports: negotiate again.
      this.restartMedia(!this.mediaStarted ? 'joined' : rejoin ? 'reconnected' : 'admitted');
    }
    if (!this.historyLoaded) void this.loadHistory();
  }

  private onMessage(message: AnyServerMessage): void {
    const before = this.state;
    this.store.update((s) => reduceMessage(s, message));
    const after = this.state;
    const notice = hostNotice(before, after, message);
    if (notice && after.phase === 'joined') this.toast(notice);
    switch (message.type) {
      case 'participant-joined': {
        const p = message.participant;
        if (p.participantId === this.participantId) {
          // Admitted from the waiting room: take a full snapshot now that we may see the meeting.
          if (before.phase === 'waiting')
            void this.signaling.join(true).catch((e: unknown) => this.onRefused(toErrorBody(e)));
        } else if (before.phase === 'joined') this.toast(`${p.displayName} joined`);
        break;
      }
      case 'participant-left': {
        const id = message.participantId;
        const name = before.participants[id]?.displayName;
        if (id !== this.participantId && name && !before.waiting[id]) this.toast(`${name} left`);
        break;
      }
      case 'chat': {
        const isNew = after.chat.length > before.chat.length;
        if (
          isNew &&
          after.phase === 'joined' &&
          after.panel !== 'chat' &&
          message.from !== this.participantId
        )
          this.previewChat(message.fromName, message.message);
        break;
      }
      case 'hand-raised': {
        const id = message.participantId;
        const name = after.participants[id]?.displayName;
        if (id !== this.participantId && name && before.phase === 'joined')
          this.toast(`${name} raised their hand`);
        break;
      }
      case 'reaction': {
        const { seq } = message;
        setTimeout(() => this.store.update((s) => hideReaction(s, seq)), REACTION_SHOWN_MS);
        break;
      }
      case 'media-update': {
        const self = after.participants[this.participantId];
        if (self && before.participants[this.participantId])
          this.publishing.follow(self.audioEnabled, self.videoEnabled);
        break;
      }
      case 'media:new-producer':
        this.media.onNewProducer(message);
        break;
      case 'media:consumer-closed':
        this.media.onConsumerClosed(message.consumerId);
        break;
      case 'media:producer-closed':
        this.media.onProducerClosed(message.producerId);
        break;
      case 'media:producer-paused': {
        this.media.onProducerPaused(message.producerId, message.paused);
        break;
      }
      case 'media:renegotiate':
        this.restartMedia(`renegotiate: ${message.reason}`);
        break;
      case 'error':
        console.warn('server error', message);
        break;
    }
    if (ENDED_PHASES.includes(after.phase) && !ENDED_PHASES.includes(before.phase)) {
      if (after.phase === 'ended' && this.endingForAll)
        this.store.update((s) => ({ ...s, phaseDetail: YOU_ENDED }));
      this.finish();
    }
  }

  private onRefused(error: ErrorBody): void {
    if (ENDED_PHASES.includes(this.state.phase)) return;
    const phase: Phase =
      error.code === 'CONFER_MEETING_ENDED'
        ? 'ended'
        : error.code === 'CONFER_PARTICIPANT_NOT_JOINED'
          ? 'expired'
          : 'failed';
    this.store.update((s) => ({ ...s, phase, phaseDetail: errorText(error.code, error.message) }));
    this.finish();
  }

  private restartMedia(why: string): void {
    this.mediaStarted = true;
    this.mediaRestarts.add({ why });
    this.media.teardown();
    // The chosen effects run first: the others never see a frame of an unblurred background.
    void this.publishing.ready
      .then(() => this.media.start(this.publishing.tracks()))
      .then(() => this.viewports.reset());
  }

  private async loadHistory(): Promise<void> {
    this.historyLoaded = true;
    try {
      const page = await api.chatHistory(this.meetingId, this.joined.token);
      this.store.update((s) => ({ ...mergeChat(s, page.messages), chatBefore: page.nextBefore }));
    } catch {
      this.historyLoaded = false;
    }
  }

  // ── Actions ─────────────────────────────────────────────────────────────────

  toggleMicrophone = () => this.publishing.toggleMicrophone();
  toggleCamera = () => this.publishing.toggleCamera();
  toggleScreen = () => this.publishing.toggleScreen();
  /** Another camera or microphone, live (the settings dialog). */
  useDevice = (kind: 'camera' | 'microphone', deviceId: string) => this.publishing.useDevice(kind, deviceId);
  setEffect = (effect: EffectName, on: boolean) => this.publishing.setEffect(effect, on);
  microphoneTrack = () => this.publishing.microphoneTrack();
  activeEffects = () => this.publishing.activeEffects();

  async toggleHand(): Promise<void> {
    const raised = this.state.participants[this.participantId]?.handRaised ?? false;
    await this.perform(() => this.signaling.request(raised ? 'lower-hand' : 'raise-hand', {}));
  }

  async sendChat(message: string): Promise<boolean> {
    return this.perform(() => this.signaling.request('chat', { message }));
  }

  async loadOlderChat(): Promise<void> {
    const before = this.state.chatBefore;
    if (before === null) return;
    const page = await api.chatHistory(this.meetingId, this.joined.token, before).catch(() => undefined);
    if (page) this.store.update((s) => ({ ...mergeChat(s, page.messages), chatBefore: page.nextBefore }));
  }

  setPanel(panel: Panel): void {
    this.store.update((s) => ({
      ...s,
      panel,
      unread: panel === 'chat' ? 0 : s.unread,
      // The chat is open: its previews have said what they had to.
      toasts: panel === 'chat' ? s.toasts.filter((t) => !t.preview) : s.toasts,
    }));
  }

  admit = (participantId: string) => this.perform(() => this.signaling.request('admit', { participantId }));
  /** Everyone waiting now, one admission each (the meeting records each as its own event). */
  async admitAll(): Promise<void> {
    for (const participantId of Object.keys(this.state.waiting)) await this.admit(participantId);
  }
  deny = (participantId: string) => this.perform(() => this.signaling.request('deny', { participantId }));
  lowerHandOf = (participantId: string) =>
    this.perform(() => this.signaling.request('lower-hand', { participantId }));
  muteParticipant = (participantId: string, mediaType: MediaType) =>
    this.perform(() => this.signaling.request('mute-participant', { participantId, mediaType }));
  removeParticipant = (participantId: string) =>
    this.perform(() => this.signaling.request('remove-participant', { participantId }));
  turnCameraOff = (participantId: string) => this.muteParticipant(participantId, 'video');
  muteAll = () => this.perform(() => this.signaling.request('mute-all', {}));
  askToUnmute = (participantId: string) =>
    this.perform(() => this.signaling.request('ask-unmute', { participantId }));
  setCoHost = (participantId: string, coHost: boolean) =>
    this.perform(() => this.signaling.request('set-co-host', { participantId, coHost }));
  setLocked = (locked: boolean) => this.perform(() => this.signaling.request('lock-meeting', { locked }));
  allowBack = (participantId: string) =>
    this.perform(() => this.signaling.request('allow-back', { participantId }));
  react = (emoji: ReactionEmoji) => this.perform(() => this.signaling.request('reaction', { emoji }));
  /** The host's spotlight: one person large on everyone's stage (`null` clears it). */
  spotlight = (participantId: string | null) =>
    this.perform(() =>
      participantId === null
        ? this.signaling.request('clear-spotlight', {})
        : this.signaling.request('spotlight', { participantId }),
    );

  /** "The host asks you to unmute": Unmute turns the microphone on (the person's own choice). */
  async answerUnmuteRequest(unmute: boolean): Promise<void> {
    this.store.update((s) => ({ ...s, unmuteRequest: null }));
    if (!unmute) {
      await this.signaling.request('decline-unmute', {}).catch(() => undefined);
      return;
    }
    if (!this.state.local.audio) await this.toggleMicrophone();
  }

  /** Leaves; a host may name who takes the host role over (`successorId`). */
  async leave(successorId?: string): Promise<void> {
    await this.signaling
      .request('leave', successorId !== undefined ? { successorId } : {})
      .catch(() => undefined);
    this.store.update((s) => ({ ...s, phase: 'left', phaseDetail: null }));
    this.finish();
  }

  async endForAll(): Promise<void> {
    // The meeting's own "ended" broadcast may arrive before the acknowledgement and close the
    // session: whichever comes first, this person's page says that they ended it.
    this.endingForAll = true;
    const ok = await this.perform(() => this.signaling.request('end-meeting', {}));
    if (!ok) {
      this.endingForAll = false;
      return;
    }
    if (!ENDED_PHASES.includes(this.state.phase)) {
      this.store.update((s) => ({ ...s, phase: 'ended', phaseDetail: YOU_ENDED }));
      this.finish();
    }
  }

  dismissToast(id: number): void {
    this.store.update((s) => ({ ...s, toasts: s.toasts.filter((t) => t.id !== id) }));
  }

  retryMedia(): void {
    this.restartMedia('retried by the person');
  }

  inboundStats() {
    return this.media.inboundStats();
  }

  transportStats() {
    return this.media.transportStats();
  }

  /** Stops everything this session opened (camera light off, sockets closed). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.reporter.stop();
    this.media.close();
    this.viewports.close();
    this.signaling.close();
    this.publishing.dispose();
  }

  // ── Helpers ─────────────────────────────────────────────────────────────────

  private finish(): void {
    this.dispose();
    this.store.update((s) => ({ ...s, remote: {} }));
  }

  /** Runs a request; a refusal becomes a notice. Resolves whether it succeeded. */
  private async perform(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      const body = toErrorBody(error);
      this.toast(errorText(body.code, body.message), 'error');
      return false;
    }
  }

  /** One preview at a time: the newest message replaces the one before (no pile of toasts). */
  private previewChat(from: string, text: string): void {
    const previous = this.state.toasts.find((t) => t.preview);
    if (previous) this.dismissToast(previous.id);
    const short = text.length > 140 ? `${text.slice(0, 139)}…` : text;
    this.toast(`${from}: ${short}`, 'info', undefined, {
      from,
      text: short,
      open: () => this.setPanel('chat'),
    });
  }

  toast(
    text: string,
    tone: Toast['tone'] = 'info',
    action?: Toast['action'],
    preview?: Toast['preview'],
  ): void {
    const id = ++this.toastId;
    const toast: Toast = { id, text, tone, ...(action ? { action } : {}), ...(preview ? { preview } : {}) };
    this.store.update((s) => ({ ...s, toasts: [...s.toasts.slice(-3), toast] }));
    // Notices with an action stay longer: a host may be mid-sentence.
    setTimeout(() => this.dismissToast(id), action ? TOAST_MS * 3 : TOAST_MS);
  }
}

function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof SignalingError) return { code: error.code, message: error.message };
  return { code: 'UNKNOWN', message: error instanceof Error ? error.message : String(error) };
}
