import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { AppModule } from './app.module';
import { loadConfig, type AppConfig } from './config/config';
import type { DestinationStream } from 'pino';
import { PinoNestLogger, createPino, pinoOptions } from './common/logger';
import { requestContext } from './common/request-context';
import { ProblemFilter } from './common/problem.filter';
import { problemClientErrorHandler } from './common/client-error';
import { RouteTable } from './common/route-table';
import { registerCompression, serveDashboard } from './common/static-assets';
import { AppValidationPipe, VALIDATION_PIPE_OPTIONS } from './common/validation';
import { setupOpenApi } from './openapi/setup';
import { registerSwaggerAssets } from './openapi/swagger-assets';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'self'; " +
    "base-uri 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'self'; object-src 'none'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export interface CreateAppOptions {
  /** Serve the built dashboard at / (local mode). */
  serveDashboard?: boolean;
  /** Where the log lines go (default stdout); tests read them here. */
  logDestination?: DestinationStream;
  /** Swagger UI's precompressed files (default: dist/swagger-ui, written by the build). */
  swaggerUiPrecompressedDir?: string;
}

/** Builds the HTTP application: the same for `main.ts`, the end-to-end tests and the OpenAPI export. */
export async function createApp(
  config: AppConfig = loadConfig(),
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createPino(config.LOG_LEVEL, options.logDestination);
  const adapter = new FastifyAdapter({
    logger: { ...pinoOptions(config.LOG_LEVEL), msgPrefix: '', stream: options.logDestination },
    // Fastify's own request lines name the request id as every other line does (common/logger.ts).
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // A path parameter of any length reaches the route's own validation (a 400 problem naming it)
    // instead of Fastify's bare 414 past its default 100 characters; Node's header limit bounds the URL.
    routerOptions: { maxParamLength: 16 * 1024 },
    // A caller's X-Request-Id is kept (if sane) so logs correlate across services.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: true,
    // Parser errors (431 headers too large, malformed requests) answer problem+json too.
    clientErrorHandler: problemClientErrorHandler,
  });
  const routes = new RouteTable();
  adapter.getInstance().addHook('onRoute', (route) => routes.add(route.method, route.url));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Everything that runs for a request (hooks, body parsing, the handler, the services it calls) runs
  // inside its request context (common/request-context.ts), so the logger stamps the request id on
  // service log lines too.
  fastify.addHook('onRequest', (request, _reply, done) =>
    requestContext.run({ requestId: request.id }, done),
  );
  // The security headers helmet would send, computed once (@fastify/helmet rebuilds its CSP per request).
  fastify.addHook('onSend', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
  });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  await app.register(multipart, { limits: { files: 1, fields: 10 } });

  app.useGlobalFilters(new ProblemFilter(routes));
  app.useGlobalPipes(new AppValidationPipe(VALIDATION_PIPE_OPTIONS));
  app.enableShutdownHooks();
  await registerCompression(app);
  registerSwaggerAssets(app, options.swaggerUiPrecompressedDir);
  setupOpenApi(app);

  const dashboard = path.resolve(config.DASHBOARD_DIR);
  if (options.serveDashboard && existsSync(path.join(dashboard, 'index.html'))) {
    await serveDashboard(app, dashboard);
  }
  return app;
}
