// How the API serves files: response compression (brotli/gzip) for everything compressible, and the
// built dashboard at / with its precompressed files and cache headers. Kept apart from app.factory.ts
// so that HTTP setup changes there (logging, headers) do not collide with asset serving.
import * as path from 'node:path';
import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PROBLEM_BASE } from './problem';

/** Vite names every file under assets/ by its content hash: a new build gets new names. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, favicon) is revalidated, so a deployment shows at the next load. */
export const REVALIDATE = 'no-cache';

const API_PATH = /^\/(v1|docs|health|metrics)(\/|\?|$)/;

/**
 * Compresses responses on the fly (Swagger UI's 1.4 MB bundle, the evaluation JSON, CSV downloads)
 * when the client accepts it. Brotli at quality 5: most of quality 11's gain at a fraction of its CPU
 * (the dashboard's own files are compressed at build time at the highest quality, see serveDashboard).
 * Must be registered before any route that should be compressed.
 */
export async function registerCompression(app: NestFastifyApplication): Promise<void> {
  await app.register(compress, {
    global: true,
    // Request bodies stay as sent: inflating them would let a small upload grow past the body limit.
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } },
  });
}

export function cacheControlFor(root: string, file: string): string {
  const relative = path.relative(root, file).split(path.sep);
  return relative[0] === 'assets' && relative.length > 1 ? IMMUTABLE : REVALIDATE;
}

/**
 * Serves the built dashboard at /: files (their .br/.gz twins from the build when the client accepts
 * them), hashed assets cached for a year, and index.html for client-side routes; unknown API paths keep
 * their problem+json 404.
 */
export async function serveDashboard(app: NestFastifyApplication, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, file) => void reply.header('cache-control', cacheControlFor(root, file)),
  });
  const fastify = app.getHttpAdapter().getInstance();
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
    return reply.header('cache-control', REVALIDATE).sendFile('index.html');
  });
}
