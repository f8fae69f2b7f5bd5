import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type { ArtifactStore } from '../../src/storage/artifact-store';
import { createArtifactStore } from '../../src/storage/storage.module';
import { auth, batchKey, registerHook, registerProduction, waitFor } from '../batch-support';
import { testModels, type TestModel } from '../support/model-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Hostile HTTP requests (issue 11, item 13): secrets in query strings, other keys' monthly runs,
 * oversized headers, unsupported methods, out-of-range dates, and the OpenAPI document saying what
 * is enforced. Both profiles.
 */
jest.setTimeout(300_000);

let t: TestApp;
let first: TestModel;
let base: string;
let store: ArtifactStore;

beforeAll(async () => {
  ({ first } = await testModels());
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  store = createArtifactStore(t.config);
  await registerProduction(t, first);
});

afterAll(async () => {
  (store as { onApplicationShutdown?: () => void } | undefined)?.onApplicationShutdown?.();
  await t?.close();
});

/** A raw HTTP request (supertest cannot send an oversized header block). */
function raw(
  method: string,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${url}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hostile HTTP requests', () => {
  it('item 13: a query string (an API key sent as ?api_key=) never reaches a log line', async () => {
    // The real API process, logging at info level to stdout as in production.
    const secret = 'hp_QUERYSECRET0123456789abcdefghijklmnopqrstuv';
    const child: ChildProcess = spawn(
      process.execPath,
      ['--no-warnings', '-r', registerHook(), path.resolve(__dirname, '..', '..', 'src', 'main.ts')],
      {
        cwd: path.resolve(__dirname, '..', '..'),
        env: { ...process.env, ...t.env, LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    try {
      const port = await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`API exited:\n${log}`);
          return /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
        },
        120_000,
        'the API process to listen',
      );
      const urls = [
        `/v1/models/current?api_key=${secret}`,
        `/v1/batch-jobs?limit=5&api_key=${secret}`,
        `/no-such-route?key=${secret}`,
        `/v1/models/current?api_key=${secret}#frag`,
      ];
      for (const url of urls) {
        const res = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { 'x-api-key': t.adminKey } });
        expect(res.status).toBeLessThan(500);
        await res.text();
      }
      await waitFor(async () => log.includes('/no-such-route?[redacted]'), 10_000, 'the request log lines');
      expect(log).toContain('"url":"/v1/models/current?[redacted]"');
      expect(log).not.toContain(secret);
      expect(log).not.toContain('api_key=');
      expect(log).not.toContain(t.adminKey);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('item 13: GET /v1/batch-evaluations shows a key its own runs only (admin sees all)', async () => {
    await store.putStream('datasets/eval.csv', Readable.from([Buffer.from('date,price\n2022-01-31,1\n')]));
    const a = await batchKey(t, 'eval-a');
    const b = await batchKey(t, 'eval-b');
    const run = await t
      .request()
      .post('/v1/batch-evaluations')
      .set('x-api-key', a)
      .send({ inputUri: store.uri('datasets/eval.csv') });
    expect(run.status).toBe(202);
    const listA = await t.request().get('/v1/batch-evaluations').set('x-api-key', a);
    const listB = await t.request().get('/v1/batch-evaluations').set('x-api-key', b);
    const listAdmin = await t.request().get('/v1/batch-evaluations').set(auth(t));
    expect(listA.body.items.map((r: { id: string }) => r.id)).toEqual([run.body.id]);
    expect(listB.body).toMatchObject({ items: [], total: 0 });
    expect(listAdmin.body.items.map((r: { id: string }) => r.id)).toContain(run.body.id);
    expect((await t.request().get(`/v1/batch-evaluations/${run.body.id}`).set('x-api-key', b)).status).toBe(
      404,
    );
    expect((await t.request().get(`/v1/batch-evaluations/${run.body.id}`).set('x-api-key', a)).status).toBe(
      200,
    );
  });

  it('a path parameter of any length reaches the route: a 400 problem naming it, not a bare 414', async () => {
    const long = 'x'.repeat(500);
    for (const path of [
      `/v1/batch-evaluations/${long}`,
      `/v1/batch-jobs/${long}`,
      `/v1/training-runs/${long}`,
    ]) {
      const res = await t.request().get(path).set('x-api-key', t.adminKey);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('item 13: headers too large answer 431 application/problem+json', async () => {
    const res = await raw('GET', '/health/live', { 'x-padding': 'x'.repeat(64 * 1024) });
    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('item 13: an unsupported method on a known path is a 405 with Allow; an unknown path stays 404', async () => {
    const post = await t.request().post('/v1/models/current').set(auth(t)).send({});
    expect(post.status).toBe(405);
    expect(post.headers['content-type']).toContain('application/problem+json');
    expect(post.headers.allow).toBe('GET');
    const patch = await t
      .request()
      .patch('/v1/batch-jobs/6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11')
      .set(auth(t))
      .send({});
    expect(patch.status).toBe(405);
    expect(patch.headers.allow).toBe('DELETE, GET');
    // HEAD runs the GET route: its own answer (here: no such job), not a 405.
    const head = await t.request().head('/v1/batch-jobs/6f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11').set(auth(t));
    expect(head.status).toBe(404);
    const unknown = await t.request().post('/v1/nothing-here').set(auth(t)).send({});
    expect(unknown.status).toBe(404);
  });

  it('item 13: dates outside 1900..2100 and date-times are refused with a 400 naming the field', async () => {
    const record = first.pkg.manifest.parity.records[0] as Record<string, unknown>;
    const predict = (date: string) =>
      t
        .request()
        .post('/v1/predictions')
        .set(auth(t))
        .send({ record: { ...record, date } });
    expect((await predict('2019-03-15')).status).toBe(200);
    for (const date of [
      '9999-12-31',
      '0000-01-01',
      '1899-12-31',
      '2019-03-15T10:20:30Z',
      '2019-03-15 10:20',
    ]) {
      const res = await predict(date);
      expect([date, res.status]).toEqual([date, 400]);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['record.date']);
    }
  });

  it('item 13: the OpenAPI document states what is enforced (UUID ids, integer versions and paging with bounds)', async () => {
    const doc = (await t.request().get('/docs-json')).body;
    const param = (route: string, method: string, name: string) =>
      doc.paths[route][method].parameters.find((p: { name: string }) => p.name === name).schema;
    for (const route of [
      '/v1/batch-jobs/{id}',
      '/v1/batch-jobs/{id}/result',
      '/v1/batch-jobs/{id}/errors',
      '/v1/batch-evaluations/{id}',
    ])
      expect(param(route, 'get', 'id')).toMatchObject({ type: 'string', format: 'uuid' });
    for (const route of ['/v1/batch-jobs', '/v1/batch-evaluations']) {
      expect(param(route, 'get', 'limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 200 });
      expect(param(route, 'get', 'offset')).toMatchObject({ type: 'integer', minimum: 0 });
    }
    expect(param('/v1/models/{name}/versions/{version}', 'get', 'version')).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 2147483647,
    });
    // What the document says is what the API does.
    expect((await t.request().get('/v1/batch-jobs/not-a-uuid').set(auth(t))).status).toBe(400);
    expect((await t.request().get('/v1/batch-jobs?limit=1.5').set(auth(t))).status).toBe(400);
    expect((await t.request().get('/v1/batch-jobs?limit=201').set(auth(t))).status).toBe(400);
  });
});
