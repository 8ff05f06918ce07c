import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mayAccess } from '../../domain/access/standing';
import { ConferError } from '../../domain/shared/errors';
import { authorize, callerOf, type AccessDeps } from './authorize';
import { Lru } from '../../domain/shared/lru';
import {
  FirstFrameReportSchema,
  QualityReportSchema,
  windowStartOf,
  type TelemetryReport,
} from '../../pipelines/analytics/telemetry';
import { ErrorResponseSchema } from './meetings.schemas';

/** One page of analytics records; `next` is the cursor to continue from. */
export interface AnalyticsPage {
  records: Array<{ cursor: string; record: Record<string, unknown> }>;
  next: string;
}

/** What the analytics routes read (the composition root answers from the analytics pipeline). */
export interface AnalyticsQueries {
  /** Every meeting's records after `after` (commit order). */
  log(after: string | undefined, limit: number): Promise<AnalyticsPage>;
  /** One meeting's records after sequence `after`. */
  meeting(meetingId: string, after: string | undefined, limit: number): Promise<AnalyticsPage>;
  /** Called when new records may be there (this node committed; other nodes are polled). */
  onCommitted(listener: () => void): () => void;
  /** JSON Schema of every record type, by type name. */
  schemas(): Record<string, object>;
  insights(meetingId: string): Promise<Record<string, unknown>>;
  /** Records a participant's client report; false when its slot (10 s window, or once) was taken. */
  report(meetingId: string, report: TelemetryReport): Promise<boolean>;
}

export interface AnalyticsRoutesDeps extends AccessDeps {
  analytics: AnalyticsQueries;
  /** How often a waiting reader looks again without a local commit (records written by other nodes). */
  pollMs?: number;
}

const meetingId = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not a meeting id');
const cursor = z.string().regex(/^\d{1,14}$/, 'a cursor is digits, as returned in `next`');
const PageQuery = z
  .object({
    after: cursor.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    meeting: meetingId.optional(),
    /** Long polling: wait up to this many seconds for a record when none follows the cursor. */
    wait: z.coerce.number().int().min(0).max(60).default(0),
  })
  .strict();
const StreamQuery = z.object({ after: cursor.optional(), meeting: meetingId.optional() }).strict();
const PageResponse = z.object({
  records: z.array(z.object({ cursor: z.string(), record: z.record(z.string(), z.unknown()) })),
  next: z.string(),
});
const ClientReportBody = z.discriminatedUnion('kind', [
  QualityReportSchema.extend({ kind: z.literal('quality') }).strict(),
  FirstFrameReportSchema.extend({ kind: z.literal('first-frame') }).strict(),
]);
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
};

/** Where an analyst may read: every meeting's log, or one meeting's records. */
type Scope = { kind: 'all' } | { kind: 'meeting'; meetingId: string };

/**
 * The analyst's view: `GET /analytics/events` (pages, with optional long polling),
 * `GET /analytics/stream` (server-sent events), `GET /docs/analytics` (JSON Schemas) and
 * `GET /meetings/{id}/insights` (host or analyst). Only an analyst credential reads the stream; one
 * scoped to a meeting reads that meeting only (its cursor is then the record's sequence).
 */
export const analyticsRoutes =
  (deps: AnalyticsRoutesDeps) =>
  async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const pollMs = deps.pollMs ?? 1000;

    async function scopeOf(request: FastifyRequest, meeting: string | undefined): Promise<Scope> {
      if (meeting !== undefined) {
        await authorize(request, deps, meeting, 'read-analytics');
        return { kind: 'meeting', meetingId: meeting };
      }
      const { claims, principal } = await callerOf(request, deps.tokens);
      if (principal.kind !== 'analyst') {
        if (!claims) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
        throw new ConferError(
          'CONFER_FORBIDDEN',
          'Only an analyst credential reads analytics',
          'authorization',
        );
      }
      return principal.meetingId === null
        ? { kind: 'all' }
        : { kind: 'meeting', meetingId: principal.meetingId };
    }

    const read = (scope: Scope, after: string | undefined, limit: number) =>
      scope.kind === 'all'
        ? deps.analytics.log(after, limit)
        : deps.analytics.meeting(scope.meetingId, after, limit);

    /** Resolves on the next local commit or after pollMs, whichever comes first. */
    const nextChance = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        const off = deps.analytics.onCommitted(done);
        function done() {
          clearTimeout(timer);
          off();
          resolve();
        }
      });

    app.get(
      '/analytics/events',
      {
        schema: {
          summary: 'Analytics records after a cursor (CloudEvents 1.0)',
          description:
            'Records in commit order; pass `next` back as `after` to get exactly what followed. ' +
            'With `meeting` (or a credential scoped to one meeting) the cursor is the meeting’s sequence.',
          tags: ['analytics'],
          security: [{ bearer: [] }],
          querystring: PageQuery,
          response: { 200: PageResponse, ...errors },
        },
      },
      async (request) => {
        const { after, limit, meeting, wait } = request.query;
        const scope = await scopeOf(request, meeting);
        let page = await read(scope, after, limit);
        const deadline = Date.now() + wait * 1000;
        while (page.records.length === 0 && Date.now() < deadline) {
          await nextChance(Math.min(pollMs, deadline - Date.now()));
          page = await read(scope, after, limit);
        }
        return page;
      },
    );

    app.get(
      '/analytics/stream',
      {
        schema: {
          summary: 'Analytics records as server-sent events (id: cursor, data: record)',
          description: 'Resumes after `after` or the Last-Event-ID header.',
          tags: ['analytics'],
          security: [{ bearer: [] }],
          querystring: StreamQuery,
          // The stream itself is text/event-stream (written directly); refusals are JSON.
          response: errors,
        },
      },
      async (request, reply) => {
        const lastEventId = request.headers['last-event-id'];
        const resume =
          typeof lastEventId === 'string' && /^\d{1,14}$/.test(lastEventId) ? lastEventId : undefined;
        let position = request.query.after ?? resume;
        const scope = await scopeOf(request, request.query.meeting);
        reply.hijack();
        const out = reply.raw;
        out.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        let open = true;
        request.raw.on('close', () => (open = false));
        out.write(': confer analytics stream\n\n');
        let quietSince = Date.now();
        while (open) {
          const page = await read(scope, position, 500);
          for (const { cursor: id, record } of page.records)
            out.write(`id: ${id}\nevent: record\ndata: ${JSON.stringify(record)}\n\n`);
          position = page.next;
          if (page.records.length > 0) quietSince = Date.now();
          else {
            if (Date.now() - quietSince > 15_000) {
              out.write(': still here\n\n'); // keeps proxies from closing an idle stream
              quietSince = Date.now();
            }
            await nextChance(pollMs);
          }
        }
        out.end();
      },
    );

    /** Participant → last 10 s window accepted here: floods are refused before touching the store. */
    const lastWindow = new Lru<string, number>(10_000);
    app.post(
      '/meetings/:meetingId/analytics/reports',
      {
        schema: {
          summary: 'A participant’s client report: connection quality (getStats) or time to first frame',
          description: 'One quality report per participant per 10 s window (more: 429); figures are clamped.',
          tags: ['analytics'],
          security: [{ bearer: [] }],
          params: z.object({ meetingId }),
          body: ClientReportBody,
          response: { 202: z.object({ recorded: z.literal(true) }), 429: ErrorResponseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { meetingId: id } = request.params;
        const { principal } = await authorize(request, deps, id, 'act');
        if (principal.kind !== 'participant')
          throw new ConferError(
            'CONFER_FORBIDDEN',
            'Only a participant reports their own connection',
            'authorization',
          );
        const { participantId } = principal;
        const body = request.body;
        const key = `${id}:${participantId}:${body.kind}`;
        const window = body.kind === 'quality' ? windowStartOf(Date.now()) : 0;
        if ((lastWindow.get(key) ?? -1) >= window)
          throw new ConferError(
            'CONFER_RATE_LIMITED',
            'One report per participant per 10 s (first frame: once)',
          );
        lastWindow.set(key, window);
        const report: TelemetryReport =
          body.kind === 'quality'
            ? {
                kind: 'quality',
                participantId,
                origin: 'client',
                report: {
                  rttMs: body.rttMs,
                  lossPct: body.lossPct,
                  jitterMs: body.jitterMs,
                  sentKbps: body.sentKbps,
                  receivedKbps: body.receivedKbps,
                },
              }
            : { kind: 'first-frame', participantId, ms: body.ms };
        if (!(await deps.analytics.report(id, report)))
          throw new ConferError('CONFER_RATE_LIMITED', 'This report’s slot was already taken');
        return reply.status(202).send({ recorded: true });
      },
    );

    app.get(
      '/docs/analytics',
      { schema: { summary: 'JSON Schemas of the analytics record types', tags: ['analytics'] } },
      async () => {
        const schemas = deps.analytics.schemas();
        return {
          format: 'CloudEvents 1.0, JSON; one JSON Schema per record type; a new version is a new type',
          topic: 'confer.analytics.v1',
          types: Object.keys(schemas).map((type) => ({ type, schema: `/docs/analytics/${type}.json` })),
        };
      },
    );

    app.get(
      '/docs/analytics/:file',
      { schema: { hide: true, params: z.object({ file: z.string().max(100) }) } },
      async (request, reply) => {
        const type = request.params.file.replace(/\.json$/, '');
        const schema = deps.analytics.schemas()[type];
        if (!schema) throw new ConferError('CONFER_NOT_FOUND', `No analytics record type ${type}`, 'file');
        return reply.type('application/schema+json').send(schema);
      },
    );

    // The web client's insights page (its single-page router draws it), when the client is served.
    app.get(
      '/m/:meetingId/insights',
      { schema: { hide: true, params: z.object({ meetingId }) } },
      (_request, reply) => {
        const page = reply as unknown as { sendFile?(file: string): unknown };
        if (!page.sendFile) throw new ConferError('CONFER_NOT_FOUND', 'The web client is not served here');
        return page.sendFile('index.html');
      },
    );

    app.get(
      '/meetings/:meetingId/insights',
      {
        schema: {
          summary: 'A meeting’s insights: duration, participants over time, talk time, quality, chat',
          tags: ['analytics'],
          security: [{ bearer: [] }],
          params: z.object({ meetingId }),
          response: { 200: z.record(z.string(), z.unknown()), ...errors },
        },
      },
      async (request) => {
        const { meetingId: id } = request.params;
        // The host (credential or joined host) or an analyst: authorize by the lowest access,
        // then require one of the two standings.
        const { standing, claims } = await authorize(request, deps, id, 'read-summary');
        if (standing !== 'host' && !mayAccess(standing, 'read-analytics')) {
          if (!claims) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
          throw new ConferError(
            'CONFER_FORBIDDEN',
            'Insights are for the host and analysts',
            'authorization',
          );
        }
        return deps.analytics.insights(id);
      },
    );
  };
