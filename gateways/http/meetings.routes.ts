import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { Clock } from '../../domain/ports/clock';
import type { Ids } from '../../domain/ports/ids';
import { ConferError } from '../../domain/shared/errors';
import { createHmac } from 'node:crypto';
import type { MeetingState } from '../../domain/meeting/meeting.state';
import { passcodeDigest } from '../auth/passcode';
import type { PasscodeGuard } from '../auth/passcode-guard';
import { actorFromClaims, type TokenService } from '../auth/tokens';
import type { IceServer } from '../auth/turn-credentials';
import { mayAccess } from '../../domain/access/standing';
import { authorize, callerOf } from './authorize';
import type { MeetingQueries } from './meeting-queries';
import { ErrorResponseSchema, toMeetingSummaryView, toMeetingView } from './meetings.schemas';
import { MeetingIdSchema } from '../../protocol/ids';
import {
  ChatPageSchema,
  ConnectionAnswerSchema,
  CreateMeetingAnswerSchema,
  CreateMeetingBodySchema,
  JoinAnswerSchema,
  JoinBodySchema,
  MeetingInfoSchema,
  MeetingListAnswerSchema,
  ParticipantsAnswerSchema,
  SuccessAnswerSchema,
} from '../../protocol/rest';

export interface MeetingRoutesDeps {
  commands: MeetingCommandHandler;
  queries: MeetingQueries;
  tokens: TokenService;
  ids: Ids;
  clock: Clock;
  authSecret: string;
  publicUrl: string;
  /** Base URL of the node serving this participant's signaling and media (placing them if needed). */
  signalingBaseUrl(meetingId: string, participantId?: string): Promise<string>;
  iceServers(participantId: string): IceServer[];
  /** The meeting's current state and revision, from its stream: what standing is decided on. */
  meeting(meetingId: string): Promise<{ state: MeetingState; revision: number }>;
  passcodeGuard: PasscodeGuard;
}

const READ_YOUR_WRITES_MS = 2000;
const MeetingIdParams = z.object({
  meetingId: MeetingIdSchema,
});

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  429: ErrorResponseSchema,
};
/** OpenAPI: a bearer token is required / optional. */
const bearer: Record<string, string[]>[] = [{ bearer: [] }];
const bearerOptional: Record<string, string[]>[] = [{}, { bearer: [] }];

export const meetingRoutes =
  (deps: MeetingRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    /**
     * Waits (briefly) until the read models include the meeting's events up to `revision`, the
     * state the caller was just authorized on. So a history or roster read agrees with what this
     * node has already broadcast: a client that joins, sees a chat live and then loads the history
     * (as the web client does once joined, merging the two) finds it there. Past the wait the read
     * is served as it stands.
     */
    const readsInclude = (meetingId: string, revision: number) =>
      deps.queries.waitFor(meetingId, revision, READ_YOUR_WRITES_MS);

    /** Counts a wrong passcode; a lockout it starts is recorded for the host and auditors. */
    function recordFailure(meetingId: string, client: string, correlationId: string): void {
      const lockout = deps.passcodeGuard.failed(meetingId, client);
      if (!lockout) return;
      const clientHash =
        lockout.scope === 'client'
          ? createHmac('sha256', deps.authSecret).update(`client\u0000${client}`).digest('hex').slice(0, 16)
          : null;
      deps.commands
        .handle(
          meetingId,
          {
            type: 'RecordPasscodeLockout',
            scope: lockout.scope,
            failures: lockout.failures,
            lockedForSeconds: Math.ceil(lockout.lockedForMs / 1000),
            client: clientHash,
          },
          { actor: { type: 'system', reason: 'passcode-lockout' }, correlationId },
        )
        .catch((error: unknown) =>
          app.log.warn({ err: error, meetingId }, 'could not record a passcode lockout'),
        );
    }

    app.post(
      '/meetings',
      {
        schema: {
          summary: 'Create a meeting',
          description:
            "Anyone may create a meeting (the answer holds its host token). With a user credential the meeting is recorded as that user's, and listed for them. A title of only whitespace is invalid.",
          tags: ['meetings'],
          security: bearerOptional,
          body: CreateMeetingBodySchema,
          response: {
            201: CreateMeetingAnswerSchema,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const { principal } = await callerOf(request, deps.tokens);
        const { title, startTime, settings } = request.body;
        // A signed-in user owns what they create; a body's hostUserId is only a label otherwise.
        const hostUserId = principal.kind === 'user' ? principal.userId : request.body.hostUserId;
        if (
          principal.kind === 'user' &&
          request.body.hostUserId &&
          request.body.hostUserId !== principal.userId
        )
          throw new ConferError('CONFER_FORBIDDEN', 'hostUserId must be your own user id', 'hostUserId');
        const meetingId = deps.ids.meetingId();
        const result = await deps.commands.handle(
          meetingId,
          {
            type: 'CreateMeeting',
            meetingId,
            title,
            startTime: startTime ?? null,
            hostUserId: hostUserId ?? null,
            settings: {
              muteOnEntry: settings.muteOnEntry,
              videoOffOnEntry: settings.videoOffOnEntry,
              waitingRoom: settings.waitingRoom,
              maxParticipants: settings.maxParticipants,
              passcodeDigest: settings.passcode
                ? passcodeDigest(deps.authSecret, meetingId, settings.passcode)
                : null,
            },
          },
          { actor: { type: 'host' }, correlationId: request.id },
        );
        await deps.queries.waitFor(meetingId, result.revision, READ_YOUR_WRITES_MS);
        const hostToken = await deps.tokens.issueHostToken(meetingId);
        return reply.status(201).send({ meetingId, joinUrl: `${deps.publicUrl}/m/${meetingId}`, hostToken });
      },
    );

    app.get(
      '/meetings',
      {
        schema: {
          summary: 'List meetings: every meeting for an operator, their own for a signed-in user',
          tags: ['meetings'],
          security: bearer,
          querystring: z
            .object({
              status: z.enum(['active', 'ended']).optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
              cursor: z.string().max(200).optional(),
            })
            .strict(),
          response: {
            200: MeetingListAnswerSchema,
            ...errors,
          },
        },
      },
      async (request) => {
        const { claims, principal } = await callerOf(request, deps.tokens);
        if (!claims) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
        if (principal.kind !== 'operator' && principal.kind !== 'user')
          throw new ConferError(
            'CONFER_FORBIDDEN',
            'Listing needs an operator or user credential',
            'authorization',
          );
        const { status, limit, cursor } = request.query;
        const page = await deps.queries.list({
          limit,
          ...(status ? { status } : {}),
          ...(cursor ? { cursor } : {}),
          ...(principal.kind === 'user' ? { hostUserId: principal.userId } : {}),
        });
        return { meetings: page.meetings.map((m) => toMeetingView(m, [])), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/meetings/:meetingId',
      {
        schema: {
          summary: 'A meeting: who is in it for those in it, what a pre-join page needs for anyone else',
          tags: ['meetings'],
          security: bearerOptional,
          params: MeetingIdParams,
          response: { 200: MeetingInfoSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { standing, revision } = await authorize(request, deps, meetingId, 'read-summary');
        await readsInclude(meetingId, revision);
        const meeting = await deps.queries.meeting(meetingId);
        if (!meeting) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
        if (!mayAccess(standing, 'read-meeting')) return toMeetingSummaryView(meeting);
        const roster = await deps.queries.roster(meetingId);
        return toMeetingView(meeting, roster);
      },
    );

    app.post(
      '/meetings/:meetingId/join',
      {
        schema: {
          summary: 'Join a meeting (the host joins with its host token as Bearer)',
          description: `Wrong passcodes lock the client out (5 free tries, then 30 s doubling) and, past 20 for the meeting, everyone (2 s doubling up to 5 min): 429 CONFER_RATE_LIMITED. A locked meeting answers 423 CONFER_MEETING_LOCKED; a person the host removed (same deviceId or user id) 403 CONFER_PARTICIPANT_BARRED until let back; knocking again within the cooldown after a denial (30 s, doubling per denial, at most 10 min) 429 CONFER_KNOCK_TOO_SOON, whose message says when.`,
          tags: ['meetings'],
          security: bearerOptional,
          params: MeetingIdParams,
          body: JoinBodySchema,
          response: {
            200: JoinAnswerSchema,
            ...errors,
            409: ErrorResponseSchema,
            410: ErrorResponseSchema,
            423: ErrorResponseSchema,
            429: ErrorResponseSchema,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { claims } = await callerOf(request, deps.tokens, meetingId);
        if (claims && claims.role !== 'host') {
          throw new ConferError(
            'CONFER_FORBIDDEN',
            'Join with no token, or with the host token',
            'authorization',
          );
        }
        const participantId = deps.ids.participantId();
        const body = request.body;
        const client = request.ip;
        if (!claims) deps.passcodeGuard.check(meetingId, client);
        const result = await deps.commands
          .handle(
            meetingId,
            {
              type: 'JoinMeeting',
              participantId,
              displayName: body.displayName,
              userId: body.userId ?? null,
              passcodeDigest:
                body.passcode !== undefined
                  ? passcodeDigest(deps.authSecret, meetingId, body.passcode)
                  : null,
              audioEnabled: body.audioEnabled,
              videoEnabled: body.videoEnabled,
              deviceId: body.deviceId ?? null,
              requestedAt: deps.clock.now().toISOString(),
            },
            {
              actor: claims ? actorFromClaims(claims) : { type: 'participant', participantId, isHost: false },
              correlationId: request.id,
            },
          )
          .catch((error: unknown) => {
            if (error instanceof ConferError && error.code === 'CONFER_PASSCODE_INVALID')
              recordFailure(meetingId, client, request.id);
            throw error;
          });
        if (!claims && body.passcode !== undefined) deps.passcodeGuard.succeeded(meetingId, client);
        const self = result.state.participants[participantId];
        if (!self) throw new ConferError('CONFER_INTERNAL');
        await deps.queries.waitFor(meetingId, result.revision, READ_YOUR_WRITES_MS);
        const isHost = self.role === 'host';
        return {
          participantId,
          status: self.status === 'waiting' ? ('waiting' as const) : ('joined' as const),
          role: self.role === 'host' ? ('host' as const) : ('participant' as const),
          webSocketUrl: `${await deps.signalingBaseUrl(meetingId, participantId)}/meetings/${meetingId}`,
          iceServers: deps.iceServers(participantId),
          token: await deps.tokens.issueParticipantToken(meetingId, participantId, isHost),
          recording: result.state.activeRecordingId !== null,
        };
      },
    );

    app.delete(
      '/meetings/:meetingId',
      {
        schema: {
          summary: 'End a meeting for everyone (host token)',
          tags: ['meetings'],
          security: bearer,
          params: MeetingIdParams,
          response: { 200: SuccessAnswerSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { claims } = await authorize(request, deps, meetingId, 'host-act');
        const result = await deps.commands.handle(
          meetingId,
          { type: 'EndMeeting' },
          { actor: actorFromClaims(claims!), correlationId: request.id },
        );
        await deps.queries.waitFor(meetingId, result.revision, READ_YOUR_WRITES_MS);
        return { success: true };
      },
    );

    app.get(
      '/meetings/:meetingId/chat',
      {
        schema: {
          summary: 'Chat history, newest page first (cursor: before); admitted participants only',
          tags: ['chat'],
          security: bearer,
          params: MeetingIdParams,
          querystring: z
            .object({
              before: z.coerce.number().int().min(0).optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
            })
            .strict(),
          response: {
            200: ChatPageSchema,
            ...errors,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { revision } = await authorize(request, deps, meetingId, 'read-meeting');
        await readsInclude(meetingId, revision);
        const { before, limit } = request.query;
        return deps.queries.chat(meetingId, { limit, ...(before !== undefined ? { before } : {}) });
      },
    );

    app.get(
      '/meetings/:meetingId/connection',
      {
        schema: {
          summary: 'Where to (re)connect: the socket URL of the node now serving this participant',
          description:
            'For admitted participants and for those in the waiting room (who get no ICE servers until admitted).',
          tags: ['meetings'],
          security: bearer,
          params: MeetingIdParams,
          response: {
            200: ConnectionAnswerSchema,
            ...errors,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { claims, standing } = await authorize(request, deps, meetingId, 'connect');
        const participantId = claims?.role === 'participant' ? claims.pid : undefined;
        return {
          webSocketUrl: `${await deps.signalingBaseUrl(meetingId, participantId)}/meetings/${meetingId}`,
          iceServers: standing === 'waiting' ? [] : deps.iceServers(participantId ?? 'host'),
        };
      },
    );

    app.get(
      '/meetings/:meetingId/participants',
      {
        schema: {
          summary: 'Everyone who is or was in the meeting; admitted participants only',
          tags: ['meetings'],
          security: bearer,
          params: MeetingIdParams,
          response: { 200: ParticipantsAnswerSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { revision } = await authorize(request, deps, meetingId, 'read-meeting');
        await readsInclude(meetingId, revision);
        return { participants: await deps.queries.roster(meetingId, { includeGone: true }) };
      },
    );
  };
