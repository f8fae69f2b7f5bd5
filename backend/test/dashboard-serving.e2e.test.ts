import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { startTestApp, type TestApp } from './support/test-app';

/** Local mode: the API serves the built dashboard at / with a fallback for client-side routes. */
let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Housing</title><div id="app"></div>');
  writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
  // What the dashboard build writes: a big hashed asset with its precompressed twins.
  const big = `console.log(${JSON.stringify('x'.repeat(5000))});`;
  writeFileSync(path.join(dir, 'assets', 'big-3c4d.js'), big);
  writeFileSync(path.join(dir, 'assets', 'big-3c4d.js.br'), brotliCompressSync(big));
  writeFileSync(path.join(dir, 'assets', 'big-3c4d.js.gz'), gzipSync(big));
  t = await startTestApp({ DASHBOARD_DIR: dir }, { serveDashboard: true });
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('serves index.html at / and for client-side routes, and the built assets', async () => {
  const root = await t.request().get('/');
  expect(root.status).toBe(200);
  expect(root.text).toContain('<title>Housing</title>');
  const route = await t.request().get('/models/housets-xgboost');
  expect(route.status).toBe(200);
  expect(route.text).toContain('<div id="app">');
  const asset = await t.request().get('/assets/app-1a2b.js');
  expect(asset.status).toBe(200);
  expect(asset.text).toContain('console.log');
});

it('keeps API paths as the API: unknown ones are problem+json 404s, known ones still answer', async () => {
  const unknown = await t.request().get('/v1/nothing-here');
  expect(unknown.status).toBe(404);
  expect(unknown.headers['content-type']).toContain('application/problem+json');
  expect((await t.request().get('/health/live')).status).toBe(200);
  expect((await t.request().get('/docs-json')).status).toBe(200);
  expect((await t.request().get('/v1/models/current')).status).toBe(401);
});

it('sends the security headers and a request id on every response', async () => {
  for (const url of ['/', '/health/live', '/v1/models/current']) {
    const res = await t.request().get(url).set('x-request-id', 'trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-request-id']).toBe('trace-123');
  }
});

it('caches hashed assets for a year and revalidates index.html and client routes', async () => {
  const asset = await t.request().get('/assets/app-1a2b.js');
  expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  for (const url of ['/', '/index.html', '/explore?year=2022']) {
    const res = await t.request().get(url);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-cache');
  }
});

it('serves the precompressed twin the client accepts, and plain bytes to one that accepts none', async () => {
  for (const encoding of ['br', 'gzip']) {
    const res = await t
      .request()
      .get('/assets/big-3c4d.js')
      .set('accept-encoding', encoding)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  }
  const plain = await t.request().get('/assets/big-3c4d.js').set('accept-encoding', 'identity');
  expect(plain.headers['content-encoding']).toBeUndefined();
  expect(plain.text).toContain('xxxx');
});

it('compresses API answers and Swagger UI on the fly when the client accepts it', async () => {
  const docs = await t.request().get('/docs/swagger-ui-bundle.js').set('accept-encoding', 'br');
  expect(docs.status).toBe(200);
  expect(docs.headers['content-encoding']).toBe('br');
  const json = await t.request().get('/docs-json').set('accept-encoding', 'gzip');
  expect(json.headers['content-encoding']).toBe('gzip');
  expect(json.body.paths['/v1/predictions']).toBeDefined();
  const small = await t.request().get('/health/live').set('accept-encoding', 'gzip');
  expect(small.headers['content-encoding']).toBeUndefined();
});
