import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Every line any pino logger in this process writes (the app's and Fastify's request logger):
 * pino keeps its real options (level, redaction) and only writes here instead of to stdout.
 */
const mockLogLines: string[] = [];
jest.mock('pino', () => {
  const real = jest.requireActual('pino');
  const { Writable } = jest.requireActual('node:stream');
  const sink = new Writable({
    write(chunk: Buffer, _encoding: string, done: () => void) {
      mockLogLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const pino = (options: unknown, stream?: unknown) => real(options, stream ?? sink);
  return Object.assign(pino, real, { default: pino, pino });
});

const MISSING = 'missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Everything else written to stdout/stderr while the apps run (e.g. the bootstrap banner). */
const written: string[] = [];
const realStderr = process.stderr.write.bind(process.stderr);

let t: TestApp;
const secrets: string[] = [];

interface CreatedKey {
  id: string;
  key: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
}

async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await t.request().post('/v1/keys').set('x-api-key', t.adminKey).send(body);
  expect(res.status).toBe(201);
  secrets.push(res.body.key);
  return res.body as CreatedKey;
}

const me = (headers: Record<string, string>) => t.request().get('/v1/keys/me').set(headers);

function expectProblem(
  res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
  });
}

beforeAll(async () => {
  // stdout is only recorded (not passed on), so the test output shows no bootstrap banner.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return realStderr(chunk, ...(rest as []));
  });
  // Most verbose logging, so the check that no key reaches the logs covers every log statement.
  t = await startTestApp({ LOG_LEVEL: 'trace' });
  secrets.push(t.adminKey);
});

afterAll(async () => {
  await t?.close();
  jest.restoreAllMocks();
});

describe('API key authentication', () => {
  it('answers 401 with a problem naming both ways to send a key when none is sent', async () => {
    const res = await t.request().get('/v1/keys/me');
    expectProblem(res, 401);
    expect(res.body.detail).toBe(MISSING);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(await me({ authorization: 'Basic dXNlcjpwYXNz' }), 401);
  });

  it('answers 401 "invalid API key" for an unknown key or a wrong secret behind a known prefix', async () => {
    const unknown = await me({ 'x-api-key': 'hp_' + 'A'.repeat(43) });
    expectProblem(unknown, 401);
    expect(unknown.body.detail).toBe('invalid API key');
    const forged = t.adminKey.slice(0, 12) + 'x'.repeat(t.adminKey.length - 12);
    secrets.push(forged);
    const wrong = await me({ authorization: `Bearer ${forged}` });
    expectProblem(wrong, 401);
    expect(wrong.body.detail).toBe('invalid API key');
  });

  it('accepts the key in X-API-Key and as a Bearer token', async () => {
    const viaHeader = await me({ 'x-api-key': t.adminKey });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({ name: 'bootstrap-admin', scopes: ['admin'], expiresAt: null });
    expect(viaHeader.body.effectiveScopes).toEqual([
      'predict',
      'batch',
      'models:read',
      'models:write',
      'train',
      'admin',
    ]);
    const viaBearer = await me({ authorization: `Bearer ${t.adminKey}` });
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body.id).toBe(viaHeader.body.id);
  });

  it('shows the secret once on creation and never in listings', async () => {
    const created = await createKey({ name: 'dashboard', scopes: ['predict', 'models:read'] });
    expect(created.key).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'dashboard',
      scopes: ['predict', 'models:read'],
      prefix: created.key.slice(0, 12),
      expiresAt: null,
    });
    expect(created).toHaveProperty('createdAt');
    const list = await t.request().get('/v1/keys').set('x-api-key', t.adminKey);
    expect(list.status).toBe(200);
    const listed = (list.body as Array<Record<string, unknown>>).find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'dashboard', prefix: created.prefix, status: 'active' });
    expect(listed).not.toHaveProperty('key');
    expect(listed).not.toHaveProperty('hash');
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(JSON.stringify(list.body)).not.toContain(sha256(created.key));
    expect(JSON.stringify(list.body)).not.toContain(t.adminKey);

    const own = await me({ 'x-api-key': created.key });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      id: created.id,
      name: 'dashboard',
      scopes: ['predict', 'models:read'],
      expiresAt: null,
    });
    expect(own.body.effectiveScopes).toEqual(['predict', 'models:read']);
    expect(own.body).not.toHaveProperty('key');
  });

  it('answers 403 naming the required scope and the scopes the key has', async () => {
    const reader = await createKey({ name: 'reader', scopes: ['predict'] });
    const res = await t.request().get('/v1/keys').set('x-api-key', reader.key);
    expectProblem(res, 403);
    expect(res.body.detail).toContain('admin');
    expect(res.body.detail).toContain('the key has: predict');
    expectProblem(
      await t
        .request()
        .post('/v1/keys')
        .set('x-api-key', reader.key)
        .send({ name: 'x', scopes: ['admin'] }),
      403,
    );
  });

  it('rejects a revoked key on its next request', async () => {
    const temp = await createKey({ name: 'revoke-me', scopes: ['batch'] });
    expect((await me({ 'x-api-key': temp.key })).status).toBe(200);
    const del = await t.request().delete(`/v1/keys/${temp.id}`).set('x-api-key', t.adminKey);
    expect(del.status).toBe(204);
    const res = await me({ 'x-api-key': temp.key });
    expectProblem(res, 401);
    expect(res.body.detail).toBe('API key revoked');
    const list = await t.request().get('/v1/keys').set('x-api-key', t.adminKey);
    expect(list.body.find((k: { id: string }) => k.id === temp.id)).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
    });
  });

  it('answers 404 for revoking an unknown key and 409 for the last admin key', async () => {
    expectProblem(
      await t.request().delete('/v1/keys/00000000-0000-0000-0000-000000000000').set('x-api-key', t.adminKey),
      404,
    );
    const self = await me({ 'x-api-key': t.adminKey });
    const res = await t.request().delete(`/v1/keys/${self.body.id}`).set('x-api-key', t.adminKey);
    expectProblem(res, 409);
    expect(res.body.detail).toContain('last active admin key');
  });

  it('rejects an expired key with the time it expired', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const temp = await createKey({ name: 'short-lived', scopes: ['predict'], expiresAt });
    expect(temp.expiresAt).toBe(expiresAt);
    expect((await me({ 'x-api-key': temp.key })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
    const res = await me({ 'x-api-key': temp.key });
    expectProblem(res, 401);
    expect(res.body.detail).toBe(`API key expired at ${expiresAt}`);
  });

  it('rate-limits per key: 429 with Retry-After after rateLimitPerMinute requests', async () => {
    const limited = await createKey({ name: 'limited', scopes: ['predict'], rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    let refused: Awaited<ReturnType<typeof me>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await me({ 'x-api-key': limited.key });
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expectProblem(refused!, 429);
    const retryAfter = Number(refused!.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(refused!.body.detail).toContain('3 requests per minute');
    expect(refused!.headers['x-ratelimit-limit']).toBe('3');
    // Other keys have their own buckets.
    expect((await me({ 'x-api-key': t.adminKey })).status).toBe(200);
  });

  it('validates the create body and names every bad field', async () => {
    const res = await t
      .request()
      .post('/v1/keys')
      .set('x-api-key', t.adminKey)
      .send({
        name: '',
        scopes: ['predict', 'root'],
        expiresAt: '2001-01-01T00:00:00Z',
        rateLimitPerMinute: 0,
        extra: 1,
      });
    expectProblem(res, 400);
    const fields = new Set((res.body.errors as Array<{ field: string }>).map((e) => e.field));
    expect([...fields].sort()).toEqual(['expiresAt', 'extra', 'name', 'rateLimitPerMinute', 'scopes']);
    expectProblem(
      await t.request().post('/v1/keys').set('x-api-key', t.adminKey).send({ name: 'x', scopes: [] }),
      400,
    );
    expectProblem(
      await t
        .request()
        .post('/v1/keys')
        .set('x-api-key', t.adminKey)
        .send({ name: 'x', scopes: ['predict'], expiresAt: '2099-01-01' }),
      400,
    );
  });

  it('documents the keys endpoints with both security schemes and the problem responses', async () => {
    const res = await t.request().get('/docs-json');
    expect(res.status).toBe(200);
    const post = res.body.paths['/v1/keys'].post;
    expect(post.security).toEqual(expect.arrayContaining([{ ApiKey: [] }, { Bearer: [] }]));
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '429']));
    expect(post.responses['429'].headers).toHaveProperty('Retry-After');
    expect(post['x-required-scopes']).toEqual(['admin']);
    const mine = res.body.paths['/v1/keys/me'].get;
    expect(Object.keys(mine.responses)).toEqual(expect.arrayContaining(['200', '401', '429']));
    expect(mine.responses).not.toHaveProperty('403');
  });

  it('never writes a key (or its hash) to the logs', () => {
    const lines = [...mockLogLines, ...written];
    expect(mockLogLines.length).toBeGreaterThan(20);
    expect(mockLogLines.some((line) => line.includes('"x-api-key"') || line.includes('/v1/keys'))).toBe(true);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      const leaks = lines.filter(
        (line) => line.includes(secret) || line.includes(secret.slice(12)) || line.includes(sha256(secret)),
      );
      expect(leaks).toEqual([]);
    }
  });
});

describe('bootstrap admin key', () => {
  it('generates one when BOOTSTRAP_ADMIN_KEY is unset and prints it once, outside the JSON logs', async () => {
    const before = written.length;
    const logsBefore = mockLogLines.length;
    const generated = await startTestApp({ BOOTSTRAP_ADMIN_KEY: '', LOG_LEVEL: 'info' });
    try {
      const output = written.slice(before).join('');
      const match = /Bootstrap admin API key \(shown once\): (hp_[A-Za-z0-9_-]{43})\n/.exec(output);
      expect(match).not.toBeNull();
      const key = match![1];
      expect(output.split(key)).toHaveLength(2);
      const res = await generated.request().get('/v1/keys/me').set('authorization', `Bearer ${key}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ name: 'bootstrap-admin', scopes: ['admin'] });
      const newLogs = mockLogLines.slice(logsBefore);
      expect(newLogs.some((line) => line.includes('generated a bootstrap admin API key'))).toBe(true);
      expect(newLogs.filter((line) => line.includes(key))).toEqual([]);
    } finally {
      await generated.close();
    }
  });
});
