/** Identifier source; meeting ids must be unguessable (capability in a link). */
export interface Ids {
  eventId(): string;
  meetingId(): string;
  participantId(): string;
  messageId(): string;
}
