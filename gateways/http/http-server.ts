import { existsSync } from 'node:fs';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { installErrorHandler } from './http-errors';
import { meetingRoutes, type MeetingRoutesDeps } from './meetings.routes';

export interface HttpServerDeps extends MeetingRoutesDeps {
  logger: Logger;
  ratePerMinute: number;
  /** Built web client (index.html and assets), served at / and /m/{meetingId}. */
  webRoot?: string;
  metrics(): Promise<{ contentType: string; body: string }>;
  health(): Promise<{ ok: boolean; details: Record<string, unknown> }>;
  /** Extra routes (audit, analytics...) registered by the composition root. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

/** The fastify application: REST API (zod schemas → validation and OpenAPI at /docs), web client, metrics. */
export async function buildHttpServer(deps: HttpServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    trustProxy: true,
    genReqId: () => crypto.randomUUID(),
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
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await deps.metrics();
    return reply.type(contentType).send(body);
  });
  for (const plugin of deps.plugins ?? []) await plugin(app as unknown as FastifyInstance);

  if (deps.webRoot && existsSync(deps.webRoot)) {
    await app.register(fastifyStatic, { root: deps.webRoot, wildcard: false });
    // The single-page client routes /m/{meetingId} itself.
    app.get('/m/:meetingId', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  }
  return app as unknown as FastifyInstance;
}
