import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startTestApp, type TestApp } from './support/test-app';
import {
  PRECOMPRESSED_ASSETS,
  SWAGGER_UI_TRANSFER_BUDGET_BYTES,
  precompressSwaggerUi,
  swaggerUiDistDir,
  swaggerUiVersion,
} from '../src/openapi/swagger-assets';

/**
 * Swagger UI at /docs: its files under versioned URLs cached for a year, the big ones precompressed
 * by the build (here into a temp dir, as `npm run build` does into dist/swagger-ui), and the whole page
 * within its transfer budget.
 */
jest.setTimeout(120_000);

let t: TestApp;
let dir: string;
const version = swaggerUiVersion();

/** The response as sent on the wire (fastify inject: no client-side decompression). */
const raw = (url: string, headers: Record<string, string> = {}) =>
  t.app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'swagger-ui-'));
  await precompressSwaggerUi(dir);
  t = await startTestApp({}, { swaggerUiPrecompressedDir: dir });
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The asset URLs the Swagger UI page links (scripts, stylesheet, icons). */
async function linkedAssets(): Promise<string[]> {
  const page = await raw('/docs');
  return [...page.body.matchAll(/(?:src|href)="\.\/docs\/([^"]+)"/g)].map((m) => `/docs/${m[1]}`);
}

it('links Swagger UI’s files under versioned URLs; the page itself revalidates', async () => {
  const page = await raw('/docs');
  expect(page.statusCode).toBe(200);
  expect(page.headers['cache-control']).toBe('no-cache');
  const assets = await linkedAssets();
  for (const asset of PRECOMPRESSED_ASSETS) expect(assets).toContain(`/docs/${asset}?v=${version}`);
  // The init script holds the live document (it follows the served model): never versioned.
  expect(assets).toContain('/docs/swagger-ui-init.js');
  expect((await raw('/docs/swagger-ui-init.js')).headers['cache-control']).toBe('no-cache');
});

it('sends the precompressed files, cached for a year under the versioned URL', async () => {
  for (const asset of PRECOMPRESSED_ASSETS) {
    const original = readFileSync(path.join(swaggerUiDistDir(), asset));
    const br = await raw(`/docs/${asset}?v=${version}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers).toMatchObject({
      'content-encoding': 'br',
      'cache-control': 'public, max-age=31536000, immutable',
      vary: expect.stringContaining('accept-encoding'),
    });
    expect(br.rawPayload.equals(readFileSync(path.join(dir, version, `${asset}.br`)))).toBe(true);
    expect(brotliDecompressSync(br.rawPayload).equals(original)).toBe(true);
    const gz = await raw(`/docs/${asset}?v=${version}`, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals(original)).toBe(true);
    // Without the version (or with an old one) the same bytes are only revalidated.
    const unversioned = await raw(`/docs/${asset}?v=0.0.1`, { 'accept-encoding': 'br' });
    expect(unversioned.headers['cache-control']).toBe('no-cache');
    const etag = unversioned.headers.etag as string;
    const again = await raw(`/docs/${asset}`, { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
  }
  // A client that refuses both gets the plain file.
  const plain = await raw(`/docs/swagger-ui.css?v=${version}`, { 'accept-encoding': 'br;q=0, gzip;q=0' });
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.rawPayload.equals(readFileSync(path.join(swaggerUiDistDir(), 'swagger-ui.css')))).toBe(true);
  expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
});

it(`transfers the whole page within ${SWAGGER_UI_TRANSFER_BUDGET_BYTES} bytes compressed`, async () => {
  const urls = ['/docs', ...(await linkedAssets())];
  let bytes = 0;
  for (const url of urls) {
    const res = await raw(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.statusCode).toBe(200);
    bytes += res.rawPayload.length;
  }
  expect(bytes).toBeGreaterThan(300_000); // the bundle alone is about 350 kB: the sum is real
  expect(bytes).toBeLessThanOrEqual(SWAGGER_UI_TRANSFER_BUDGET_BYTES);
});
