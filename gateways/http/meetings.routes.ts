import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import type { Clock } from '../../domain/ports/clock';
import type { Ids } from '../../domain/ports/ids';
import { ConferError } from '../../domain/shared/errors';
import { passcodeDigest } from '../auth/passcode';
import { actorFromClaims, type TokenService } from '../auth/tokens';
import type { IceServer } from '../auth/turn-credentials';
import { optionalClaims, requireClaims } from './bearer';
import type { MeetingQueries } from './meeting-queries';
import {
  ErrorResponseSchema,
  MeetingViewSchema,
  ParticipantViewSchema,
  toMeetingView,
} from './meetings.schemas';
import { MeetingIdSchema } from '../../protocol/ids';
import { CreateMeetingAnswerSchema, JoinAnswerSchema } from '../../protocol/rest';

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
}

const READ_YOUR_WRITES_MS = 2000;
const MeetingIdParams = z.object({
  meetingId: MeetingIdSchema,
});

const CreateMeetingBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    startTime: z.iso.datetime({ offset: true }).optional(),
    hostUserId: z.string().min(1).max(200).optional(),
    settings: z
      .object({
        muteOnEntry: z.boolean().default(false),
        videoOffOnEntry: z.boolean().default(false),
        waitingRoom: z.boolean().default(false),
        maxParticipants: z.number().int().min(2).max(500).default(100),
        passcode: z.string().min(4).max(64).optional(),
      })
      .strict()
      .default({ muteOnEntry: false, videoOffOnEntry: false, waitingRoom: false, maxParticipants: 100 }),
  })
  .strict();

const JoinBody = z
  .object({
    displayName: z.string().trim().min(1).max(100),
    userId: z.string().min(1).max(200).optional(),
    passcode: z.string().max(64).optional(),
    audioEnabled: z.boolean().default(true),
    videoEnabled: z.boolean().default(true),
  })
  .strict();

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
};

export const meetingRoutes =
  (deps: MeetingRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/meetings',
      {
        schema: {
          summary: 'Create a meeting',
          tags: ['meetings'],
          body: CreateMeetingBody,
          response: {
            201: CreateMeetingAnswerSchema,
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const meetingId = deps.ids.meetingId();
        const { title, startTime, hostUserId, settings } = request.body;
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
          summary: 'List meetings',
          tags: ['meetings'],
          querystring: z
            .object({
              status: z.enum(['active', 'ended']).optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
              cursor: z.string().max(200).optional(),
            })
            .strict(),
          response: {
            200: z.object({
              meetings: z.array(MeetingViewSchema.omit({ participants: true })),
              nextCursor: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { status, limit, cursor } = request.query;
        const page = await deps.queries.list({
          limit,
          ...(status ? { status } : {}),
          ...(cursor ? { cursor } : {}),
        });
        return { meetings: page.meetings.map((m) => toMeetingView(m, [])), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/meetings/:meetingId',
      {
        schema: {
          summary: 'A meeting and who is in it',
          tags: ['meetings'],
          params: MeetingIdParams,
          response: { 200: MeetingViewSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const meeting = await deps.queries.meeting(meetingId);
        if (!meeting) throw new ConferError('CONFER_MEETING_NOT_FOUND', undefined, 'meetingId');
        const roster = await deps.queries.roster(meetingId);
        return toMeetingView(meeting, roster);
      },
    );

    app.post(
      '/meetings/:meetingId/join',
      {
        schema: {
          summary: 'Join a meeting (the host joins with its host token as Bearer)',
          tags: ['meetings'],
          params: MeetingIdParams,
          body: JoinBody,
          response: {
            200: JoinAnswerSchema,
            ...errors,
            409: ErrorResponseSchema,
            410: ErrorResponseSchema,
            429: ErrorResponseSchema,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const claims = await optionalClaims(request, deps.tokens, meetingId);
        if (claims && claims.role !== 'host') {
          throw new ConferError(
            'CONFER_FORBIDDEN',
            'Join with no token, or with the host token',
            'authorization',
          );
        }
        const participantId = deps.ids.participantId();
        const body = request.body;
        const result = await deps.commands.handle(
          meetingId,
          {
            type: 'JoinMeeting',
            participantId,
            displayName: body.displayName,
            userId: body.userId ?? null,
            passcodeDigest:
              body.passcode !== undefined ? passcodeDigest(deps.authSecret, meetingId, body.passcode) : null,
            audioEnabled: body.audioEnabled,
            videoEnabled: body.videoEnabled,
          },
          {
            actor: claims ? actorFromClaims(claims) : { type: 'participant', participantId, isHost: false },
            correlationId: request.id,
          },
        );
        const self = result.state.participants[participantId];
        if (!self) throw new ConferError('CONFER_INTERNAL');
        await deps.queries.waitFor(meetingId, result.revision, READ_YOUR_WRITES_MS);
        const isHost = self.role === 'host';
        return {
          participantId,
          status: self.status === 'waiting' ? ('waiting' as const) : ('joined' as const),
          role: self.role,
          webSocketUrl: `${await deps.signalingBaseUrl(meetingId, participantId)}/meetings/${meetingId}`,
          iceServers: deps.iceServers(participantId),
          token: await deps.tokens.issueParticipantToken(meetingId, participantId, isHost),
        };
      },
    );

    app.delete(
      '/meetings/:meetingId',
      {
        schema: {
          summary: 'End a meeting for everyone (host token)',
          tags: ['meetings'],
          params: MeetingIdParams,
          response: { 200: z.object({ success: z.boolean() }), ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const claims = await requireClaims(request, deps.tokens, meetingId);
        const result = await deps.commands.handle(
          meetingId,
          { type: 'EndMeeting' },
          { actor: actorFromClaims(claims), correlationId: request.id },
        );
        await deps.queries.waitFor(meetingId, result.revision, READ_YOUR_WRITES_MS);
        return { success: true };
      },
    );

    app.get(
      '/meetings/:meetingId/chat',
      {
        schema: {
          summary: 'Chat history, newest page first (cursor: before)',
          tags: ['chat'],
          params: MeetingIdParams,
          querystring: z
            .object({
              before: z.coerce.number().int().min(0).optional(),
              limit: z.coerce.number().int().min(1).max(200).default(50),
            })
            .strict(),
          response: {
            200: z.object({
              messages: z.array(
                z.object({
                  messageId: z.string(),
                  from: z.string(),
                  fromName: z.string(),
                  message: z.string(),
                  timestamp: z.string(),
                  seq: z.number(),
                }),
              ),
              nextBefore: z.number().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        await requireClaims(request, deps.tokens, meetingId);
        const { before, limit } = request.query;
        return deps.queries.chat(meetingId, { limit, ...(before !== undefined ? { before } : {}) });
      },
    );

    app.get(
      '/meetings/:meetingId/connection',
      {
        schema: {
          summary: 'Where to (re)connect: the socket URL of the node now serving this participant',
          tags: ['meetings'],
          params: MeetingIdParams,
          response: {
            200: z.object({
              webSocketUrl: z.string(),
              iceServers: z.array(
                z.object({
                  urls: z.array(z.string()),
                  username: z.string().optional(),
                  credential: z.string().optional(),
                }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const claims = await requireClaims(request, deps.tokens, meetingId);
        const participantId = claims.role === 'participant' ? claims.pid : undefined;
        return {
          webSocketUrl: `${await deps.signalingBaseUrl(meetingId, participantId)}/meetings/${meetingId}`,
          iceServers: deps.iceServers(participantId ?? 'host'),
        };
      },
    );

    app.get(
      '/meetings/:meetingId/participants',
      {
        schema: {
          summary: 'Everyone who is or was in the meeting',
          tags: ['meetings'],
          params: MeetingIdParams,
          response: { 200: z.object({ participants: z.array(ParticipantViewSchema) }), ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        await requireClaims(request, deps.tokens, meetingId);
        return { participants: await deps.queries.roster(meetingId, { includeGone: true }) };
      },
    );
  };
