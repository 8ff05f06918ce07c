import { z } from 'zod';
import { ActorSchema } from './actor';

/** Metadata every stored event carries (architecture.md, "Events"). */
export const EventMetadataSchema = z.object({
  meetingId: z.string().min(1),
  occurredAt: z.string(),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
});
export type EventMetadata = z.infer<typeof EventMetadataSchema>;

/** What a command handler hands to the store: the store assigns revision, position and hash. */
export interface EventToAppend {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * A committed event as every consumer sees it (store, bus, projections, gateways, pipelines).
 * `hash` chains each event of a stream to the previous one (`prevHash`) for auditors.
 */
export const StoredEventSchema = z.object({
  eventId: z.string().min(1),
  type: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  streamId: z.string().min(1),
  meetingId: z.string().min(1),
  streamRevision: z.number().int().nonnegative(),
  globalPosition: z.number().int().positive(),
  occurredAt: z.string(),
  actor: ActorSchema,
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type StoredEvent = z.infer<typeof StoredEventSchema>;

export const meetingStreamId = (meetingId: string): string => `meeting-${meetingId}`;
