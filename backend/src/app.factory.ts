import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { AppModule } from './app.module';
import { loadConfig, type AppConfig } from './config/config';
import { PinoNestLogger, createPino, pinoOptions } from './common/logger';
import { ProblemFilter } from './common/problem.filter';
import { problemClientErrorHandler } from './common/client-error';
import { RouteTable } from './common/route-table';
import { PROBLEM_BASE, validationProblem } from './common/problem';
import { AppValidationPipe, flattenValidationErrors } from './common/validation';
import { setupOpenApi } from './openapi/setup';

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
const API_PATH = /^\/(v1|docs|health|metrics)(\/|\?|$)/;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export interface CreateAppOptions {
  /** Serve the built dashboard at / (local mode). */
  serveDashboard?: boolean;
}

/** Builds the HTTP application: the same for `main.ts`, the end-to-end tests and the OpenAPI export. */
export async function createApp(
  config: AppConfig = loadConfig(),
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createPino(config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    logger: { ...pinoOptions(config.LOG_LEVEL), msgPrefix: '' },
    bodyLimit: config.BODY_LIMIT_BYTES,
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
  // The security headers helmet would send, computed once (@fastify/helmet rebuilds its CSP per request).
  fastify.addHook('onSend', async (request, reply) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
  });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  await app.register(multipart, { limits: { files: 1, fields: 10 } });

  app.useGlobalFilters(new ProblemFilter(routes));
  app.useGlobalPipes(
    new AppValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
    }),
  );
  app.enableShutdownHooks();
  setupOpenApi(app);

  const dashboard = path.resolve(config.DASHBOARD_DIR);
  if (options.serveDashboard && existsSync(path.join(dashboard, 'index.html'))) {
    await app.register(fastifyStatic, { root: dashboard, prefix: '/', wildcard: false });
    // Client-side routes fall back to index.html (files and API routes are matched first); unknown
    // API paths keep their problem+json 404.
    fastify.get('/*', (request, reply) => {
      if (API_PATH.test(request.url)) {
        return reply
          .status(404)
          .header('content-type', 'application/problem+json')
          .send({
            type: `${PROBLEM_BASE}not-found`,
            title: 'Not found',
            status: 404,
            detail: `no route GET ${request.url.split('?')[0]}`,
            requestId: request.id,
          });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  }
  return app;
}
