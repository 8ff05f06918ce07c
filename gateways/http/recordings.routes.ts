import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MeetingCommandHandler } from '../../domain/meeting/meeting.handler';
import { RecordingIdSchema } from '../../domain/meeting/recording.events';
import type { RecordingState } from '../../domain/meeting/recording.state';
import type { Clock } from '../../domain/ports/clock';
import type { Ids } from '../../domain/ports/ids';
import type { ObjectStore } from '../../domain/ports/object-store';
import { ConferError } from '../../domain/shared/errors';
import { actorFromClaims, type TokenService } from '../auth/tokens';
import { authorize } from './authorize';
import { DOWNLOAD_ROUTE, downloadSignatureValid } from './download-signature';
import { ErrorResponseSchema } from './meetings.schemas';

/** How far the pipeline has come with a recording (its job document), for `progress`. */
export interface RecordingProgress {
  stage: string;
  /** 0..1 */
  fraction: number;
}

export interface RecordingRoutesDeps {
  commands: MeetingCommandHandler;
  tokens: TokenService;
  ids: Ids;
  clock: Clock;
  objects: ObjectStore;
  /** Signs the local download route's links (same secret as the store's signer). */
  downloadSecret: string;
  urlTtlSeconds: number;
  progressOf(meetingId: string, recordingId: string): Promise<RecordingProgress | undefined>;
}

const MeetingIdParams = z.object({
  meetingId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not a meeting id'),
});
const RecordingParams = MeetingIdParams.extend({ recordingId: RecordingIdSchema });

export { RecordingViewSchema, type RecordingView } from '../../protocol/recording-view';
import {
  RecordingStatusSchema as StatusSchema,
  RecordingViewSchema,
  type RecordingView,
} from '../../protocol/recording-view';

const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
  410: ErrorResponseSchema,
};

const recordingIdOf = (ids: Ids) => `rec_${ids.messageId().replace(/-/g, '')}`;

/** The host's recordings API, and the signed download route of the embedded object store. */
export const recordingRoutes =
  (deps: RecordingRoutesDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const access = {
      tokens: deps.tokens,
      meeting: (meetingId: string) => deps.commands.load(meetingId),
    };

    app.post(
      '/meetings/:meetingId/recordings',
      {
        schema: {
          summary: 'Start recording the meeting (host)',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: MeetingIdParams,
          response: { 201: z.object({ recordingId: z.string(), status: StatusSchema }), ...errors },
        },
      },
      async (request, reply) => {
        const { meetingId } = request.params;
        const { claims } = await authorize(request, access, meetingId, 'host-act');
        const recordingId = recordingIdOf(deps.ids);
        await deps.commands.handle(
          meetingId,
          { type: 'StartRecording', recordingId },
          { actor: actorFromClaims(claims!), correlationId: request.id },
        );
        return reply.status(201).send({ recordingId, status: 'recording' as const });
      },
    );

    app.post(
      '/meetings/:meetingId/recordings/:recordingId/stop',
      {
        schema: {
          summary: 'Stop a recording (host); it is then processed into one file',
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: RecordingParams,
          response: { 200: z.object({ recordingId: z.string(), status: StatusSchema }), ...errors },
        },
      },
      async (request) => {
        const { meetingId, recordingId } = request.params;
        const { claims } = await authorize(request, access, meetingId, 'host-act');
        const result = await deps.commands.handle(
          meetingId,
          { type: 'StopRecording', recordingId },
          { actor: actorFromClaims(claims!), correlationId: request.id },
        );
        const status = result.state.recordings[recordingId]?.status ?? 'processing';
        return { recordingId, status };
      },
    );

    app.get(
      '/meetings/:meetingId/recordings',
      {
        schema: {
          summary: "The meeting's recordings with status, progress and a download link (host)",
          tags: ['recordings'],
          security: [{ bearer: [] }],
          params: MeetingIdParams,
          response: { 200: z.object({ recordings: z.array(RecordingViewSchema) }), ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { state } = await authorize(request, access, meetingId, 'host-act');
        const recordings = Object.values(state.recordings).sort((a, b) =>
          a.startedAt.localeCompare(b.startedAt),
        );
        return { recordings: await Promise.all(recordings.map((r) => viewOf(meetingId, r))) };
      },
    );

    app.get(
      '/meetings/:meetingId/recording-status',
      {
        schema: {
          summary: 'Whether the meeting is being recorded now (anyone with the link: told before joining)',
          tags: ['recordings'],
          params: MeetingIdParams,
          response: {
            200: z.object({ recording: z.boolean(), recordingId: z.string().nullable() }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        const { state } = await authorize(request, access, meetingId, 'read-summary');
        return { recording: state.activeRecordingId !== null, recordingId: state.activeRecordingId };
      },
    );

    async function viewOf(meetingId: string, r: RecordingState): Promise<RecordingView> {
      const progress =
        r.status === 'processing' ? await deps.progressOf(meetingId, r.recordingId) : undefined;
      return {
        recordingId: r.recordingId,
        status: r.status,
        startedAt: r.startedAt,
        stoppedAt: r.stoppedAt,
        durationSeconds: r.file?.durationSeconds ?? null,
        sizeBytes: r.file?.sizeBytes ?? null,
        sha256: r.file?.sha256 ?? null,
        progress:
          r.status === 'available' ? 1 : (progress?.fraction ?? (r.status === 'processing' ? 0 : null)),
        stage: progress?.stage ?? null,
        segments: r.segments,
        failure: r.failure,
        downloadUrl: r.file
          ? await deps.objects.downloadUrl(r.file.key, {
              expiresInSeconds: deps.urlTtlSeconds,
              fileName: `meeting-${meetingId}-${r.startedAt.slice(0, 10)}.mp4`,
            })
          : null,
      };
    }

    app.get(
      DOWNLOAD_ROUTE,
      {
        schema: {
          summary: 'A stored file, by a signed time-limited link (local object store); honours Range',
          tags: ['recordings'],
          querystring: z
            .object({
              key: z.string().min(1).max(1000),
              exp: z.coerce.number().int().min(0),
              name: z.string().max(200).default(''),
              sig: z.string().min(1).max(100),
            })
            .strict(),
          // The file itself (200, or 206 for a Range) is streamed as stored; refusals are JSON.
          response: {
            200: z.any().describe('the file'),
            206: z.any().describe('the requested range of the file'),
            400: ErrorResponseSchema,
            401: ErrorResponseSchema,
            404: ErrorResponseSchema,
            416: z.any().describe('the range lies outside the file'),
          },
        },
      },
      async (request, reply) => {
        const query = request.query;
        if (!downloadSignatureValid(deps.downloadSecret, query, deps.clock.now().getTime()))
          throw new ConferError(
            'CONFER_AUTH_INVALID',
            'The download link is not valid or has expired',
            'sig',
          );
        const info = await deps.objects.head(query.key);
        if (!info) throw new ConferError('CONFER_OBJECT_NOT_FOUND', undefined, 'key');
        const range = parseRange(request.headers.range, info.sizeBytes);
        reply.header('accept-ranges', 'bytes');
        reply.type(info.contentType ?? 'application/octet-stream');
        if (query.name)
          reply.header(
            'content-disposition',
            `inline; filename="${query.name.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
          );
        if (range === 'unsatisfiable') {
          reply.header('content-range', `bytes */${info.sizeBytes}`);
          return reply.status(416).send();
        }
        if (range) {
          reply.status(206);
          reply.header('content-range', `bytes ${range.start}-${range.end}/${info.sizeBytes}`);
          reply.header('content-length', range.end - range.start + 1);
          return reply.send(Readable.from(await deps.objects.get(query.key, { range })));
        }
        reply.header('content-length', info.sizeBytes);
        return reply.send(Readable.from(await deps.objects.get(query.key)));
      },
    );
  };

/** One `bytes=a-b` range (what video elements ask for); several ranges are served whole. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  let start: number;
  let end: number;
  if (from === '') {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}
