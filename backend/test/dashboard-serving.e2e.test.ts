import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

/** Local mode: the API serves the built dashboard at / with a fallback for client-side routes. */
let t: TestApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Housing</title><div id="app"></div>');
  writeFileSync(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log("app")');
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
