import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ConferError, ErrorCodes, type ErrorCode } from '../../domain/shared/errors';

/** How each error code travels over HTTP. Codes not listed are server errors. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  CONFER_VALIDATION_FAILED: 400,
  CONFER_UNKNOWN_MESSAGE: 400,
  CONFER_CHAT_EMPTY: 400,
  CONFER_CHAT_TOO_LONG: 400,
  CONFER_HOST_CANNOT_UNMUTE_OTHERS: 400,
  CONFER_MEETING_LOCKED: 423,
  CONFER_PARTICIPANT_BARRED: 403,
  CONFER_KNOCK_TOO_SOON: 429,
  CONFER_NOTHING_TO_CHANGE: 409,
  CONFER_AUTH_MISSING: 401,
  CONFER_AUTH_INVALID: 401,
  CONFER_PASSCODE_INVALID: 403,
  CONFER_AUTH_WRONG_MEETING: 403,
  CONFER_FORBIDDEN: 403,
  CONFER_MEETING_NOT_FOUND: 404,
  CONFER_PARTICIPANT_NOT_FOUND: 404,
  CONFER_NOT_FOUND: 404,
  CONFER_MEETING_ALREADY_EXISTS: 409,
  CONFER_PARTICIPANT_ALREADY_JOINED: 409,
  CONFER_PARTICIPANT_NOT_JOINED: 409,
  CONFER_PARTICIPANT_NOT_WAITING: 409,
  CONFER_STORE_REVISION_CONFLICT: 409,
  CONFER_COMMAND_CONTENDED: 409,
  CONFER_MEETING_ENDED: 410,
  CONFER_MEETING_FULL: 429,
  CONFER_RATE_LIMITED: 429,
  CONFER_STORE_UNAVAILABLE: 503,
  CONFER_STORE_EVENT_REJECTED: 500,
  CONFER_METHOD_NOT_ALLOWED: 405,
  CONFER_MEDIA_UNAVAILABLE: 503,
  CONFER_MEDIA_NODE_UNREACHABLE: 503,
  CONFER_AUDIT_INSTANT_INVALID: 400,
  CONFER_AUDIT_EXPORT_INVALID: 400,
  CONFER_AUDIT_KEY_INVALID: 400,
  CONFER_AUDIT_BEFORE_CREATION: 422,
  CONFER_AUDIT_AFTER_END: 422,
  CONFER_AUDIT_BEYOND_HEAD: 422,
  CONFER_RECORDING_ALREADY_RUNNING: 409,
  CONFER_RECORDING_NOT_FOUND: 404,
  CONFER_RECORDING_NOT_STOPPED: 409,
  CONFER_OBJECT_NOT_FOUND: 404,
  CONFER_OBJECT_STORE_UNAVAILABLE: 503,
};

/** Methods the API answers at all; anything else (TRACE, QUERY, …) is 405 wherever it is sent. */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export const httpStatusOf = (code: ErrorCode): number => STATUS[code] ?? 500;

export interface ErrorResponse {
  error: { code: string; message: string; field?: string };
}

function fieldOf(path: string): string | undefined {
  const field = path.replace(/^\//, '').replace(/\//g, '.');
  return field.length > 0 ? field : undefined;
}

/** Every error leaves as `{ error: { code, message, field? } }` with a status from the code. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const where = error.validationContext ?? 'body';
      const params = first?.params as { keys?: string[] } | undefined;
      // Unrecognised keys name the extra field rather than the object that holds it.
      const extra = first?.keyword === 'unrecognized_keys' ? params?.keys?.[0] : undefined;
      const path = [fieldOf(first?.instancePath ?? ''), extra].filter(Boolean).join('.');
      const body: ErrorResponse = {
        error: {
          code: 'CONFER_VALIDATION_FAILED',
          message: `${where}${path ? `.${path}` : ''}: ${first?.message ?? 'invalid'}`,
          ...(path ? { field: path } : {}),
        },
      };
      return reply.status(400).send(body);
    }
    if (error instanceof ConferError) {
      const status = httpStatusOf(error.code);
      // Server-side failures are logged with their cause; the caller sees the code's own words.
      if (status >= 500) request.log.error({ err: error, cause: error.cause }, 'request failed');
      const body: ErrorResponse = {
        error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      };
      return reply.status(status).send(body);
    }
    // fastify's own client errors (malformed JSON, wrong content type, body too large, 429).
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code: ErrorCode = status === 429 ? 'CONFER_RATE_LIMITED' : 'CONFER_VALIDATION_FAILED';
      return reply.status(status).send({ error: { code, message: error.message } } satisfies ErrorResponse);
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      error: { code: 'CONFER_INTERNAL', message: ErrorCodes.CONFER_INTERNAL },
    } satisfies ErrorResponse);
  });
  // Before any body parsing (fastify parses a QUERY body and would answer 400 first).
  app.addHook('onRequest', async (request, reply) => {
    if (STANDARD_METHODS.has(request.method)) return;
    return reply
      .status(405)
      .header('allow', [...STANDARD_METHODS].join(', '))
      .send({
        error: { code: 'CONFER_METHOD_NOT_ALLOWED', message: `Method ${request.method} is not supported` },
      } satisfies ErrorResponse);
  });
  // Which methods each route answers, to tell "no such method here" (405) from "no such path" (404).
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    const source = `^${route.url
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:[^/]+/g, '[^/]+')
      .replace(/\*/g, '.*')}$`;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let entry = routes.find((r) => r.pattern.source === source);
    if (!entry) routes.push((entry = { pattern: new RegExp(source), methods: new Set() }));
    for (const method of methods) entry.methods.add(method);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]));
    if (allowed.size > 0) {
      return reply
        .status(405)
        .header('allow', [...allowed].join(', '))
        .send({
          error: {
            code: 'CONFER_METHOD_NOT_ALLOWED',
            message: `${request.method} is not allowed on ${path}`,
          },
        } satisfies ErrorResponse);
    }
    reply.status(404).send({
      error: { code: 'CONFER_NOT_FOUND', message: `No route ${request.method} ${request.url}` },
    } satisfies ErrorResponse);
  });
}
