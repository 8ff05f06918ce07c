import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ConferError } from '../../domain/shared/errors';
import { REACTION_BUDGET } from '../../domain/shared/reactions';
import type { Identity } from './connection';

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
  new RateLimiterMemory({ points: burst, duration: Math.max(1, Math.ceil(burst / perSecond)) });

/**
 * Budgets keyed by who sends, not by connection: one token with 50 sockets shares one budget,
 * and so do the participants behind one address (with a wider budget, for offices behind NAT).
 * Negotiating media for a large meeting sends a burst of consume requests: its own wider budget.
 */
export function createRateLimits(config: SignalingRateConfig) {
  const perParticipant = window(config.perSecond, config.burst);
  const perAddress = window(config.perAddressPerSecond, config.perAddressBurst);
  const mediaPerParticipant = new RateLimiterMemory({ points: 2000, duration: 10 });
  const connects = new RateLimiterMemory({ points: config.connectsPerMinute, duration: 60 });
  // Reactions are shown to everyone over a tile and in chat: a budget of their own, far below the
  // general one, so that one person cannot flood every screen (checked last: a message refused
  // for the general budget does not spend a reaction).
  const reactions = new RateLimiterMemory({
    points: REACTION_BUDGET.count,
    duration: REACTION_BUDGET.perSeconds,
  });
  const refuse = (what: string) => () => {
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

  return {
    async message(identity: Identity, type: string): Promise<void> {
      const participant = `${identity.meetingId}/${identity.participantId}`;
      if (type.startsWith('media:')) {
        await mediaPerParticipant.consume(participant).catch(refusals.media);
        return;
      }
      await perParticipant.consume(participant).catch(refusals.participant);
      await perAddress.consume(identity.address).catch(refusals.address);
      if (type === 'reaction') await reactions.consume(participant).catch(refusals.reaction);
    },
    async connect(address: string): Promise<void> {
      await connects.consume(address).catch(refusals.connect);
    },
  };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
