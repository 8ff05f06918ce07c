import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import helmet from 'helmet';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { ConferError } from '../../domain/shared/errors';
import { callerOf } from './authorize';
import { installErrorHandler } from './http-errors';
import { meetingRoutes, type MeetingRoutesDeps } from './meetings.routes';

export interface HttpServerDeps extends MeetingRoutesDeps {
  logger: Logger;
  ratePerMinute: number;
  /**
   * Addresses (IPs or CIDRs) of the proxies whose X-Forwarded-For is believed. Empty: none, so a
   * client cannot choose the address its rate limits and lockouts are counted under.
   */
  trustedProxies: string[];
  /** Serve /metrics here only to operator credentials (false when a separate metrics port serves it). */
  metricsOnMainPort: boolean;
  /** Built web client (index.html and assets), served at / and /m/{meetingId}. */
  webRoot?: string;
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Extra routes (audit, analytics...) registered by the composition root. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
  /**
   * Origins the page may play media from besides its own: the object store's, where a recording's
   * signed link points (S3), so the host can play it in the page.
   */
  mediaOrigins?: string[];
}

/** A request the HTTP parser could not take: 405 for an unknown method, 400 otherwise. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const unknownMethod = error.code === 'HPE_INVALID_METHOD';
  const status = unknownMethod ? '405 Method Not Allowed' : '400 Bad Request';
  const body = JSON.stringify({
    error: unknownMethod
      ? { code: 'CONFER_METHOD_NOT_ALLOWED', message: 'The HTTP method is not supported.' }
      : { code: 'CONFER_VALIDATION_FAILED', message: 'The request could not be parsed.' },
  });
  socket.end(
    `HTTP/1.1 ${status}\r\n${unknownMethod ? 'Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n' : ''}` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The fastify application: REST API (zod schemas → validation and OpenAPI at /docs), web client, metrics. */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: deps.trustedProxies.length > 0 ? deps.trustedProxies : false,
    genReqId: () => crypto.randomUUID(),
    // Node's parser refuses methods it does not know (QUERY, …) before fastify sees them.
    clientErrorHandler: answerClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app as unknown as FastifyInstance);

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Confer API',
        version: '1.0.0',
        description: 'Meetings, participants and chat. Errors: { error: { code, message, field? } }.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  // helmet's middleware, built once. @fastify/helmet builds it again for every request (13.2.0:
  // `helmet(options)` in its onRequest hook, the CSP directives parsed anew each time), ~18 KB of
  // garbage a request: a third of what creating a meeting and joining it allocated.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // 'wasm-unsafe-eval' lets the page compile WebAssembly (background blur, noise suppression:
        // served from this origin); it allows no JavaScript eval.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        // preact sets style attributes; the bundle's CSS is a file.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:', 'mediastream:', ...(deps.mediaOrigins ?? [])],
        // Signaling may live on another node of the cluster (cascading): its URL is not this origin.
        connectSrc: ["'self'", 'ws:', 'wss:', 'http:', 'https:'],
        workerSrc: ["'self'", 'blob:'],
        // The meeting page drives camera, microphone and host controls: never inside another site.
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    // The meeting id in a page's URL is the key to the meeting: never send it to another site.
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) =>
      done(error === undefined ? undefined : error instanceof Error ? error : new Error(String(error))),
    ),
  );
  app.addHook('onSend', async (_request, reply) => {
    reply.header(
      'permissions-policy',
      'camera=(self), microphone=(self), display-capture=(self), fullscreen=(self), geolocation=(), payment=(), usb=()',
    );
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(fastifyRateLimit, {
    max: deps.ratePerMinute,
    timeWindow: '1 minute',
    // Only the API is limited: the page, its assets and the probes are not.
    allowList: (request) => !request.url.startsWith('/meetings'),
  });

  await app.register(meetingRoutes(deps));

  app.get('/healthz', { schema: { hide: true } }, async (_request, reply) => {
    const health = await deps.health();
    return reply.status(health.ok ? 200 : 503).send(health);
  });
  if (deps.metricsOnMainPort) {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const { claims, principal } = await callerOf(request, deps.tokens);
      if (!claims) throw new ConferError('CONFER_AUTH_MISSING', undefined, 'authorization');
      if (principal.kind !== 'operator')
        throw new ConferError('CONFER_FORBIDDEN', 'Metrics need an operator credential', 'authorization');
      const { contentType, body } = await deps.metrics();
      return reply.type(contentType).send(body);
    });
  }
  for (const plugin of deps.plugins ?? []) await plugin(app as unknown as FastifyInstance);

  if (deps.webRoot && existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, { root: deps.webRoot, wildcard: false });
    // The single-page client routes /m/{meetingId} itself.
    app.get('/m/:meetingId', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  }
  return app as unknown as FastifyInstance;
}
