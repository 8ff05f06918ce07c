import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditService } from '../../pipelines/audit/audit-service';
import { StateAtSchema } from '../../pipelines/audit/state-view';
import { ConferError } from '../../domain/shared/errors';
import { authorize, type AccessDeps } from './authorize';
import { ErrorResponseSchema } from './meetings.schemas';

export interface AuditRoutesDeps extends AccessDeps {
  audit: AuditService;
  /** The checkpoint-signing public key as a JWK (RFC 8037). */
  publicJwk: Record<string, string>;
}

const MeetingIdParams = z.object({
  meetingId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not a meeting id'),
});
const errors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  404: ErrorResponseSchema,
  422: ErrorResponseSchema,
};
const security = [{ bearer: [] }];

const HeadSchema = z.object({ revision: z.number().int(), hash: z.string() }).nullable();
const VerifySchema = z.object({
  intact: z.boolean(),
  events: z.number().int(),
  head: HeadSchema,
  brokenAt: z.number().int().optional(),
  reason: z
    .enum([
      'hash-mismatch',
      'link-broken',
      'revision-gap',
      'checkpoint-mismatch',
      'checkpoint-beyond-head',
      'signature-invalid',
    ])
    .optional(),
  checkpoints: z.object({
    count: z.number().int(),
    verified: z.number().int(),
    latest: z
      .object({
        v: z.literal(1),
        meetingId: z.string(),
        streamId: z.string(),
        revision: z.number().int(),
        hash: z.string(),
        signedAt: z.string(),
        keyId: z.string(),
        signature: z.string(),
      })
      .nullable(),
  }),
});
const TimelineSchema = z.object({
  entries: z.array(
    z.object({
      revision: z.number().int(),
      at: z.string(),
      type: z.string(),
      schemaVersion: z.number().int(),
      actor: z.object({
        kind: z.enum(['participant', 'host', 'system']),
        participantId: z.string().nullable(),
        name: z.string().nullable(),
        detail: z.string().nullable(),
      }),
      subject: z.object({ participantId: z.string(), name: z.string().nullable() }).nullable(),
      summary: z.string(),
      node: z.string().nullable(),
      hash: z.string(),
    }),
  ),
  next: z.number().int().nullable(),
  headRevision: z.number().int(),
});

/**
 * Auditors' routes: state at an instant, timeline, verification and export of one meeting, each
 * asking `read-audit` of the one access rule (an auditor credential for this meeting or all);
 * and the public key that checkpoints are signed with, for anyone.
 */
export const auditRoutes =
  (deps: AuditRoutesDeps) =>
  async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const tags = ['audit'];

    app.get(
      '/meetings/:meetingId/state',
      {
        schema: {
          summary: 'The meeting as it stood at an instant, rebuilt from its events',
          tags,
          security,
          params: MeetingIdParams,
          querystring: z.object({
            at: z.string().max(64).optional().describe('a stream revision (0, 1, …) or an ISO-8601 time'),
          }),
          response: { 200: StateAtSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        await authorize(request, deps, meetingId, 'read-audit');
        return deps.audit.stateAt(meetingId, request.query.at);
      },
    );

    app.get(
      '/meetings/:meetingId/audit/timeline',
      {
        schema: {
          summary: "The meeting's history as auditor-facing entries, paged by revision",
          tags,
          security,
          params: MeetingIdParams,
          querystring: z.object({
            after: z.coerce.number().int().min(-1).optional().describe('the `next` of the previous page'),
            limit: z.coerce.number().int().min(1).max(1000).default(200),
          }),
          response: { 200: TimelineSchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        await authorize(request, deps, meetingId, 'read-audit');
        const { after, limit } = request.query;
        return deps.audit.timeline(meetingId, { ...(after !== undefined ? { after } : {}), limit });
      },
    );

    app.get(
      '/meetings/:meetingId/audit/verify',
      {
        schema: {
          summary: "Recomputes the meeting's hash chain and checks every signed checkpoint against it",
          tags,
          security,
          params: MeetingIdParams,
          response: { 200: VerifySchema, ...errors },
        },
      },
      async (request) => {
        const { meetingId } = request.params;
        await authorize(request, deps, meetingId, 'read-audit');
        return deps.audit.verify(meetingId);
      },
    );

    app.get(
      '/meetings/:meetingId/audit/export',
      {
        schema: {
          summary: 'NDJSON export: header, every event with its hashes, signed checkpoints, trailer',
          description:
            'The export is `application/x-ndjson` (one JSON object a line, streamed). Verify offline with `npx confer audit verify --file export.ndjson --public-key key.jwk`. Refusals are JSON.',
          tags,
          security,
          params: MeetingIdParams,
          response: errors,
        },
      },
      async (request, reply) => {
        const { meetingId } = request.params;
        await authorize(request, deps, meetingId, 'read-audit');
        const lines = await deps.audit.exportStream(meetingId);
        return reply
          .type('application/x-ndjson')
          .header('content-disposition', `attachment; filename="${meetingId}.audit.ndjson"`)
          .send(Readable.from(lines) as never); // streamed NDJSON, not one of the JSON error shapes
      },
    );

    app.get(
      '/.well-known/confer-audit-key',
      {
        schema: {
          summary: 'The Ed25519 public key (JWK) that audit checkpoints are signed with',
          tags,
          response: { 200: z.object({ keys: z.array(z.record(z.string(), z.string())) }) },
        },
      },
      async () => ({ keys: [deps.publicJwk] }),
    );

    // The auditor's page of the web client (it routes /audit/{meetingId} itself), when it is built.
    app.get('/audit/:meetingId', { schema: { hide: true } }, (_request, reply) => {
      const withStatic = reply as FastifyReply & { sendFile?(file: string): FastifyReply };
      if (typeof withStatic.sendFile !== 'function') throw new ConferError('CONFER_NOT_FOUND');
      return withStatic.sendFile('index.html');
    });
  };
