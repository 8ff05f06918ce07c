import { z } from 'zod';

const id = z.string().min(1);

/**
 * The host's tools as commands. The actor comes from the command's context (the verified token);
 * `participantId` names the target. Who may do which is decided in host.decide.ts.
 */
export const HostCommandSchemas = [
  /** Host only: make a participant co-host (`coHost: true`) or a participant again. */
  z.object({ type: z.literal('SetCoHost'), participantId: id, coHost: z.boolean() }),
  /** Host or co-host: every other microphone off. */
  z.object({ type: z.literal('MuteAll') }),
  /** Host or co-host: ask a muted participant to unmute. */
  z.object({ type: z.literal('AskToUnmute'), participantId: id }),
  /** The asked participant dismisses the request. */
  z.object({ type: z.literal('DeclineUnmute'), participantId: id }),
  /** Host only: nobody new may join or knock (`locked: false` opens it again). */
  z.object({ type: z.literal('SetMeetingLock'), locked: z.boolean() }),
  /** Host or co-host: a removed person may come back. */
  z.object({ type: z.literal('AllowBack'), participantId: id }),
] as const;
