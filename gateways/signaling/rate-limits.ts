import { ConferError } from '../../domain/shared/errors';
import { REACTION_BUDGET } from '../../domain/shared/reactions';
import type { Identity } from './connection';
import { FixedWindows } from './fixed-windows';

export interface SignalingRateConfig {
  /** Messages per participant (all their connections together). */
  perSecond: number;
  burst: number;
  /** Messages per client address (all its participants and connections together). */
  perAddressPerSecond: number;
  perAddressBurst: number;
  /** Connection attempts per client address and minute, on both socket endpoints. */
  connectsPerMinute: number;
}

const window = (perSecond: number, burst: number) =>
  new FixedWindows(burst, 1000 * Math.max(1, Math.ceil(burst / perSecond)));

/**
 * Budgets keyed by who sends, not by connection: one token with 50 sockets shares one budget,
 * and so do the participants behind one address (with a wider budget, for offices behind NAT).
 * Negotiating media for a large meeting sends a burst of consume requests: its own wider budget.
 */
export function createRateLimits(config: SignalingRateConfig) {
  const perParticipant = window(config.perSecond, config.burst);
  const perAddress = window(config.perAddressPerSecond, config.perAddressBurst);
  const mediaPerParticipant = new FixedWindows(2000, 10_000);
  const connects = new FixedWindows(config.connectsPerMinute, 60_000);
  // Reactions are shown to everyone over a tile and in chat: a budget of their own, far below the
  // general one, so that one person cannot flood every screen (checked last: a message refused
  // for the general budget does not spend a reaction).
  const reactions = new FixedWindows(REACTION_BUDGET.count, 1000 * REACTION_BUDGET.perSeconds);
  const refuse = (what: string) => (): never => {
    throw new ConferError('CONFER_RATE_LIMITED', what);
  };
  // Made once, not per message: every chat and media request passes here.
  const refusals = {
    media: refuse('Too many media messages'),
    participant: refuse(`Too many messages: at most ${config.perSecond}/s per participant`),
    address: refuse(`Too many messages from this address: at most ${config.perAddressPerSecond}/s`),
    reaction: refuse(
      `Too many reactions: at most ${REACTION_BUDGET.count} every ${REACTION_BUDGET.perSeconds} s`,
    ),
    connect: refuse(`Too many connection attempts: at most ${config.connectsPerMinute} a minute`),
  };

  // A connection's identity is one object for its life: its participant's key is built once, not
  // at every message (a new text each time, hashed anew at each lookup: the budgets' lookups were
  // ~2 % of the event loop's busy time under chat load, December 2026).
  const participantKeys = new WeakMap<Identity, string>();
  const participantKey = (identity: Identity): string => {
    let key = participantKeys.get(identity);
    if (key === undefined) {
      key = `${identity.meetingId}/${identity.participantId}`;
      participantKeys.set(identity, key);
    }
    return key;
  };

  return {
    /** Throws CONFER_RATE_LIMITED when a budget of the sender is spent. */
    message(identity: Identity, type: string): void {
      const participant = participantKey(identity);
      if (type.startsWith('media:')) {
        if (!mediaPerParticipant.take(participant)) refusals.media();
        return;
      }
      if (!perParticipant.take(participant)) refusals.participant();
      if (!perAddress.take(identity.address)) refusals.address();
      if (type === 'reaction' && !reactions.take(participant)) refusals.reaction();
    },
    async connect(address: string): Promise<void> {
      if (!connects.take(address)) refusals.connect();
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
