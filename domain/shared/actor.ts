import { z } from 'zod';

/**
 * Who caused a change. Taken from the verified token at the gateway, never from a request body.
 * A `host` actor holds the meeting's host token but has not necessarily joined as a participant.
 */
export const ActorSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('participant'), participantId: z.string().min(1), isHost: z.boolean() }),
  z.object({ type: z.literal('host') }),
  z.object({ type: z.literal('system'), reason: z.string().min(1) }),
]);
export type Actor = z.infer<typeof ActorSchema>;

export const systemActor = (reason: string): Actor => ({ type: 'system', reason });

export function actorIsHost(actor: Actor): boolean {
  return actor.type === 'host' || actor.type === 'system' || (actor.type === 'participant' && actor.isHost);
}

export function actorParticipantId(actor: Actor): string | undefined {
  return actor.type === 'participant' ? actor.participantId : undefined;
}
