// How /docs serves Swagger UI's own files (swagger-ui-dist, 2 MB): the page asks for them under a
// versioned URL (?v=<swagger-ui-dist version>), so they are cached for a year and a new swagger-ui-dist
// changes the URL; the three big ones are precompressed by the build at the highest levels (brotli 11,
// gzip 9) and sent from memory instead of being compressed per request.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IMMUTABLE, REVALIDATE } from '../common/static-assets';

/** Swagger UI's files the /docs page loads, big enough to be worth precompressing. */
export const PRECOMPRESSED_ASSETS = [
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'swagger-ui.css',
];
/** Every swagger-ui-dist file the page links (the init script is not one: it holds the live document). */
const VERSIONED_ASSETS = [...PRECOMPRESSED_ASSETS, 'favicon-32x32.png', 'favicon-16x16.png'];
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/**
 * What the /docs page may transfer on a cold cache, compressed (HTML, CSS, both bundles, the init
 * script with the document). Brotli 11 makes the files about 437 kB; per-request brotli 5 made 509 kB.
 */
export const SWAGGER_UI_TRANSFER_BUDGET_BYTES = 480_000;

const DOCS_ASSET = /^\/docs\/([\w.-]+)(?:\?(.*))?$/;
const DOCS_PAGE = /^\/docs\/?(?:index\.html)?(?:\?.*)?$/;

export function swaggerUiDistDir(): string {
  return path.dirname(require.resolve('swagger-ui-dist/package.json'));
}

export function swaggerUiVersion(): string {
  return (
    JSON.parse(readFileSync(path.join(swaggerUiDistDir(), 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/** Where the build writes the precompressed files: next to the compiled code (dist/swagger-ui). */
export const DEFAULT_PRECOMPRESSED_DIR = path.join(__dirname, '..', 'swagger-ui');

/**
 * The build step: writes `<asset>.br` and `<asset>.gz` of each big Swagger UI file into
 * `<dir>/<swagger-ui-dist version>/` (each file written whole, then renamed into place).
 */
export async function precompressSwaggerUi(dir = DEFAULT_PRECOMPRESSED_DIR): Promise<string[]> {
  const out = path.join(dir, swaggerUiVersion());
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const asset of PRECOMPRESSED_ASSETS) {
    const content = readFileSync(path.join(swaggerUiDistDir(), asset));
    const variants: [string, Buffer][] = [
      ['br', await promisify(brotliCompress)(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })],
      ['gz', await promisify(gzip)(content, { level: 9 })],
    ];
    for (const [extension, bytes] of variants) {
      const file = path.join(out, `${asset}.${extension}`);
      writeFileSync(`${file}.tmp`, bytes);
      renameSync(`${file}.tmp`, file);
      written.push(file);
    }
  }
  return written;
}

interface Precompressed {
  br?: Buffer;
  gzip?: Buffer;
}

/** The precompressed files of this swagger-ui-dist version found in `dir` (none: compressed per request). */
function loadPrecompressed(dir: string, version: string): Map<string, Precompressed> {
  const found = new Map<string, Precompressed>();
  const read = (file: string) => (existsSync(file) ? readFileSync(file) : undefined);
  for (const asset of PRECOMPRESSED_ASSETS) {
    const base = path.join(dir, version, asset);
    const variants = { br: read(`${base}.br`), gzip: read(`${base}.gz`) };
    if (variants.br || variants.gzip) found.set(asset, variants);
  }
  return found;
}

/** The client's preferred of brotli and gzip (refusing `;q=0`), if any. */
export function preferredEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (header ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => name),
  );
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : undefined;
}

/** Immutable for the current version's URL; anything else (no or an old ?v=) revalidates. */
const cacheControlFor = (query: string | undefined, version: string) =>
  new URLSearchParams(query ?? '').get('v') === version ? IMMUTABLE : REVALIDATE;

/**
 * Registers the /docs asset rules on the API: versioned URLs in the Swagger UI page, a year's cache
 * for them, and the precompressed files (when the build wrote them) sent without compressing again.
 */
export function registerSwaggerAssets(
  app: NestFastifyApplication,
  precompressedDir = DEFAULT_PRECOMPRESSED_DIR,
): void {
  const version = swaggerUiVersion();
  const precompressed = loadPrecompressed(precompressedDir, version);
  const fastify = app.getHttpAdapter().getInstance();
  const linked = new RegExp(`(${VERSIONED_ASSETS.map((a) => a.replace(/\./g, '\\.')).join('|')})"`, 'g');

  /** Sends a precompressed file (when the build wrote one and the client takes its encoding). */
  const sendPrecompressed = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'GET') return;
    const match = DOCS_ASSET.exec(request.url);
    const variants = match && precompressed.get(match[1]!);
    const encoding = variants && preferredEncoding(request.headers['accept-encoding']);
    const bytes = encoding && variants[encoding];
    if (!match || !bytes) return;
    const etag = `"${version}-${encoding}"`;
    void reply
      .header('content-type', CONTENT_TYPES[path.extname(match[1]!)] ?? 'application/octet-stream')
      .header('content-encoding', encoding)
      .header('vary', 'accept-encoding')
      .header('etag', etag)
      .header('cache-control', cacheControlFor(match[2], version));
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.send(bytes);
  };

  /** Versioned links in the page; the cache policy of the page, the files and the init script. */
  const setLinksAndCaching = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (DOCS_PAGE.test(request.url) && typeof payload === 'string') {
      void reply.header('cache-control', REVALIDATE);
      return payload.replace(linked, `$1?v=${version}"`);
    }
    const match = DOCS_ASSET.exec(request.url);
    if (match && VERSIONED_ASSETS.includes(match[1]!) && reply.statusCode < 400)
      void reply.header('cache-control', cacheControlFor(match[2], version));
    else if (match?.[1] === 'swagger-ui-init.js') void reply.header('cache-control', REVALIDATE);
    return payload;
  };

  // Route hooks of the /docs routes only (Swagger UI's, registered after this): other routes, the
  // prediction path above all, run no extra hook. The onSend hook goes first, before the compression
  // hook (@fastify/compress adds its own the same way), so it sees the page as text.
  fastify.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/docs') || route.url.startsWith('/docs-')) return;
    const list = <T>(hooks: T | T[] | undefined): T[] =>
      hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
    route.onRequest = [...list(route.onRequest), sendPrecompressed] as typeof route.onRequest;
    route.onSend = [setLinksAndCaching, ...list(route.onSend)] as typeof route.onSend;
  });
}
