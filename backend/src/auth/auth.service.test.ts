import type * as Crypto from 'node:crypto';
import { HttpStatus, Logger, type LoggerService } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { loadConfig } from '../config/config';
import { ProblemException } from '../common/problem';
import { ApiKeys1732330000001 } from '../database/migrations/1732330000001-api-keys';
import { ApiKeyEntity } from './api-key.entity';
import { AuthService, BOOTSTRAP_BANNER, KEY_CACHE_TTL_MS, LAST_USED_WRITE_INTERVAL_MS } from './auth.service';
import { generateApiKey, hashKey } from './key-material';

// The module object itself (an `import * as` would be a copy), so spies replace what the service calls.
const crypto = jest.requireActual<typeof Crypto>('node:crypto');

const T0 = Date.parse('2025-06-01T12:00:00Z');

/** Every Nest log line the service writes, to check that no secret reaches the logs. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add = (...args: unknown[]) => void this.lines.push(JSON.stringify(args));
  log = this.add;
  error = this.add;
  warn = this.add;
  debug = this.add;
  verbose = this.add;
}

describe('AuthService', () => {
  let dataSource: DataSource;
  let repo: Repository<ApiKeyEntity>;
  let now: number;
  let logs: CapturingLogger;

  const service = (env: Record<string, string> = {}) =>
    new AuthService(repo, loadConfig({ RATE_LIMIT_PER_MINUTE: '60', ...env }), () => now);

  async function expectProblem(promise: Promise<unknown>, status: number, detail: string | RegExp) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProblemException);
    const problem = error as ProblemException;
    expect(problem.getStatus()).toBe(status);
    if (typeof detail === 'string') expect(problem.message).toBe(detail);
    else expect(problem.message).toMatch(detail);
    return problem;
  }

  beforeEach(async () => {
    now = T0;
    logs = new CapturingLogger();
    Logger.overrideLogger(logs);
    dataSource = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [ApiKeyEntity],
      migrations: [ApiKeys1732330000001],
      migrationsRun: true,
      logging: false,
    });
    await dataSource.initialize();
    repo = dataSource.getRepository(ApiKeyEntity);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
  });

  describe('keys and hashing', () => {
    it('generates hp_ + 43 base64url characters, each key different', () => {
      const keys = new Set(Array.from({ length: 100 }, generateApiKey));
      expect(keys.size).toBe(100);
      for (const key of keys) expect(key).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
    });

    it('stores the first 12 characters and the SHA-256 of the key, never the key itself', async () => {
      const auth = service();
      const { key, record } = await auth.create({ name: 'reader', scopes: ['predict'] });
      expect(record).not.toHaveProperty('hash');
      expect(JSON.stringify(record)).not.toContain(key);
      const [raw] = (await dataSource.query('SELECT * FROM api_keys')) as Record<string, unknown>[];
      expect(raw.prefix).toBe(key.slice(0, 12));
      expect(raw.hash).toBe(crypto.createHash('sha256').update(key).digest('hex'));
      expect(hashKey(key).toString('hex')).toBe(raw.hash);
      expect(JSON.stringify(raw)).not.toContain(key);
      expect(JSON.stringify(raw)).not.toContain(key.slice(12));
      expect(raw.scopes).toBe('["predict"]');
    });

    it('lists keys newest first without secrets or hashes', async () => {
      const auth = service();
      const a = await auth.create({ name: 'a', scopes: ['predict'] });
      now += 1000;
      const b = await auth.create({
        name: 'b',
        scopes: ['batch'],
        rateLimitPerMinute: 5,
        createdBy: a.record.id,
      });
      const list = await auth.list();
      expect(list.map((k) => k.name)).toEqual(['b', 'a']);
      for (const item of list) expect(item).not.toHaveProperty('hash');
      const text = JSON.stringify(list);
      expect(text).not.toContain(a.key);
      expect(text).not.toContain(b.key);
      expect(list[0]).toMatchObject({
        rateLimitPerMinute: 5,
        createdBy: a.record.id,
        createdAt: T0 + 1000,
        revokedAt: null,
      });
    });

    it('rejects unknown scopes and expiry times that are not in the future', async () => {
      const auth = service();
      await expectProblem(auth.create({ name: 'x', scopes: ['predict', 'root'] }), 400, /scopes/);
      await expectProblem(auth.create({ name: 'x', scopes: [] }), 400, /scopes/);
      await expectProblem(auth.create({ name: 'x', scopes: ['predict'], expiresAt: now }), 400, /expiresAt/);
      expect(await repo.count()).toBe(0);
    });

    it('never writes a secret to the logs', async () => {
      const auth = service();
      const { key } = await auth.create({ name: 'logged', scopes: ['admin'] });
      await auth.authenticate(key);
      await expect(auth.authenticate(key.slice(0, 12) + 'x'.repeat(34))).rejects.toThrow();
      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.lines.join('\n')).not.toContain(key);
      expect(logs.lines.join('\n')).not.toContain(key.slice(12));
    });
  });

  describe('authenticate', () => {
    it('returns the principal for a valid key', async () => {
      const auth = service();
      const { key, record } = await auth.create({ name: 'svc', scopes: ['predict', 'models:read'] });
      await expect(auth.authenticate(key)).resolves.toEqual({
        keyId: record.id,
        name: 'svc',
        scopes: ['predict', 'models:read'],
      });
    });

    it('rejects an unknown key without comparing anything', async () => {
      const auth = service();
      await auth.create({ name: 'svc', scopes: ['predict'] });
      const compare = jest.spyOn(crypto, 'timingSafeEqual');
      const problem = await expectProblem(auth.authenticate(generateApiKey()), 401, 'invalid API key');
      expect(problem.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(compare).not.toHaveBeenCalled();
    });

    it('finds the row by prefix and compares the hashes in constant time', async () => {
      const auth = service();
      const { key } = await auth.create({ name: 'svc', scopes: ['predict'] });
      const lookups = jest.spyOn(repo, 'findOneBy');
      const compare = jest.spyOn(crypto, 'timingSafeEqual');
      const forged = key.slice(0, 12) + (key[12] === 'A' ? 'B' : 'A') + key.slice(13);
      await expectProblem(auth.authenticate(forged), 401, 'invalid API key');
      expect(lookups).toHaveBeenCalledWith({ prefix: key.slice(0, 12) });
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.results[0].value).toBe(false);
      compare.mockClear();
      await auth.authenticate(key);
      expect(compare).toHaveBeenCalledTimes(1);
      expect(compare.mock.results[0].value).toBe(true);
    });

    it('rejects keys that are too short or too long before touching the database', async () => {
      const auth = service();
      const lookups = jest.spyOn(repo, 'findOneBy');
      await expectProblem(auth.authenticate('hp_short'), 401, 'invalid API key');
      await expectProblem(auth.authenticate('hp_' + 'a'.repeat(600)), 401, 'invalid API key');
      expect(lookups).not.toHaveBeenCalled();
    });

    it('serves repeated requests from memory and asks the database again after the cache TTL', async () => {
      const auth = service();
      const { key } = await auth.create({ name: 'svc', scopes: ['predict'] });
      const lookups = jest.spyOn(repo, 'findOneBy');
      for (let i = 0; i < 50; i++) await auth.authenticate(key);
      expect(lookups).toHaveBeenCalledTimes(1);
      now += KEY_CACHE_TTL_MS - 1;
      await auth.authenticate(key);
      expect(lookups).toHaveBeenCalledTimes(1);
      now += 1;
      await auth.authenticate(key);
      expect(lookups).toHaveBeenCalledTimes(2);
    });

    it('makes one database lookup for a burst of concurrent requests with a cold cache', async () => {
      const auth = service();
      const { key } = await auth.create({ name: 'svc', scopes: ['predict'] });
      const lookups = jest.spyOn(repo, 'findOneBy');
      const principals = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(key)));
      expect(new Set(principals.map((p) => p.keyId)).size).toBe(1);
      expect(lookups).toHaveBeenCalledTimes(1);
    });

    it('remembers an unknown key for the cache TTL only, and forgets it when a key is created', async () => {
      const auth = service();
      const lookups = jest.spyOn(repo, 'findOneBy');
      const wrong = generateApiKey();
      await expectProblem(auth.authenticate(wrong), 401, 'invalid API key');
      await expectProblem(auth.authenticate(wrong), 401, 'invalid API key');
      expect(lookups).toHaveBeenCalledTimes(1);
      now += KEY_CACHE_TTL_MS;
      await expectProblem(auth.authenticate(wrong), 401, 'invalid API key');
      expect(lookups).toHaveBeenCalledTimes(2);
    });

    it('rejects a revoked key on the very next request, even when it was cached', async () => {
      const auth = service();
      await auth.create({ name: 'admin', scopes: ['admin'] });
      const { key, record } = await auth.create({ name: 'svc', scopes: ['predict'] });
      await auth.authenticate(key);
      await auth.revoke(record.id);
      await expectProblem(auth.authenticate(key), 401, 'API key revoked');
      const row = await repo.findOneByOrFail({ id: record.id });
      expect(row.revokedAt).toBe(now);
    });

    it('sees a revocation made by another instance within the cache TTL', async () => {
      const here = service();
      const there = service();
      await there.create({ name: 'admin', scopes: ['admin'] });
      const { key, record } = await there.create({ name: 'svc', scopes: ['predict'] });
      await here.authenticate(key);
      await there.revoke(record.id);
      await here.authenticate(key); // still cached here, at most KEY_CACHE_TTL_MS
      now += KEY_CACHE_TTL_MS;
      await expectProblem(here.authenticate(key), 401, 'API key revoked');
    });

    it('does not cache a lookup that raced with a revocation', async () => {
      const auth = service();
      await auth.create({ name: 'admin', scopes: ['admin'] });
      const { key, record } = await auth.create({ name: 'svc', scopes: ['predict'] });
      const original = repo.findOneBy.bind(repo);
      let revokeDuringLookup = true;
      jest.spyOn(repo, 'findOneBy').mockImplementation(async (where) => {
        const row = await original(where);
        if (revokeDuringLookup && 'prefix' in (where as object)) {
          revokeDuringLookup = false;
          await auth.revoke(record.id);
        }
        return row;
      });
      await auth.authenticate(key); // read before the revocation landed
      await expectProblem(auth.authenticate(key), 401, 'API key revoked');
    });

    it('rejects an expired key from the moment it expires, cached or not', async () => {
      const auth = service();
      const expiresAt = now + 5000;
      const { key } = await auth.create({ name: 'temp', scopes: ['predict'], expiresAt });
      await auth.authenticate(key);
      now = expiresAt - 1;
      await auth.authenticate(key);
      now = expiresAt;
      await expectProblem(
        auth.authenticate(key),
        401,
        `API key expired at ${new Date(expiresAt).toISOString()}`,
      );
    });

    it('writes lastUsedAt on first use and then at most once a minute', async () => {
      const auth = service();
      const { key, record } = await auth.create({ name: 'svc', scopes: ['predict'] });
      const writes = jest.spyOn(repo, 'update');
      await auth.authenticate(key);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toHaveBeenCalledTimes(1);
      expect((await repo.findOneByOrFail({ id: record.id })).lastUsedAt).toBe(T0);
      for (let i = 0; i < 100; i++) {
        now += 500;
        await auth.authenticate(key);
      }
      expect(writes).toHaveBeenCalledTimes(1);
      now = T0 + LAST_USED_WRITE_INTERVAL_MS;
      await auth.authenticate(key);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toHaveBeenCalledTimes(2);
      now += 10_000;
      await auth.authenticate(key);
      expect(writes).toHaveBeenCalledTimes(2);
      await auth.flushLastUsed(); // on shutdown
      expect((await repo.findOneByOrFail({ id: record.id })).lastUsedAt).toBe(now);
    });
  });

  describe('rate limiting', () => {
    it("uses the key's own limit, else RATE_LIMIT_PER_MINUTE, and refuses with Retry-After", async () => {
      const auth = service({ RATE_LIMIT_PER_MINUTE: '2' });
      const own = await auth.create({ name: 'own', scopes: ['predict'], rateLimitPerMinute: 3 });
      const dflt = await auth.create({ name: 'default', scopes: ['predict'] });
      const p1 = await auth.authenticate(own.key);
      const p2 = await auth.authenticate(dflt.key);
      expect([1, 2, 3].map(() => auth.takeRateLimit(p1).allowed)).toEqual([true, true, true]);
      const refused = auth.takeRateLimit(p1);
      expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0, retryAfterSeconds: 20 });
      expect([1, 2, 3].map(() => auth.takeRateLimit(p2).allowed)).toEqual([true, true, false]);
      const problem = auth.rateLimitProblem(refused);
      expect(problem.getStatus()).toBe(HttpStatus.TOO_MANY_REQUESTS);
      expect(problem.headers['retry-after']).toBe('20');
      expect(problem.message).toMatch(/3 requests per minute/);
      now += 20_000;
      expect(auth.takeRateLimit(p1).allowed).toBe(true);
    });
  });

  describe('revoke', () => {
    it('answers 404 for an unknown id and is idempotent', async () => {
      const auth = service();
      await auth.create({ name: 'admin', scopes: ['admin'] });
      const { record } = await auth.create({ name: 'svc', scopes: ['predict'] });
      await expectProblem(auth.revoke('00000000-0000-0000-0000-000000000000'), 404, /no API key/);
      await auth.revoke(record.id);
      now += 1000;
      const again = await auth.revoke(record.id);
      expect(again.revokedAt).toBe(T0);
    });

    it('refuses to revoke the last active admin key', async () => {
      const auth = service();
      const first = await auth.create({ name: 'admin-1', scopes: ['admin'] });
      await expectProblem(auth.revoke(first.record.id), 409, /last active admin key/);
      const second = await auth.create({ name: 'admin-2', scopes: ['admin'] });
      await auth.revoke(first.record.id);
      await expectProblem(auth.revoke(second.record.id), 409, /last active admin key/);
    });
  });

  describe('bootstrap', () => {
    const BOOTSTRAP_KEY = 'hp_bootstrap-admin-key-for-tests-0123456789';

    it('stores BOOTSTRAP_ADMIN_KEY hashed as "bootstrap-admin" once', async () => {
      const auth = service({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY });
      const print = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      await auth.onApplicationBootstrap();
      await service({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY }).onApplicationBootstrap();
      expect(print).not.toHaveBeenCalled();
      const rows = await repo.find();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        name: 'bootstrap-admin',
        scopes: ['admin'],
        prefix: BOOTSTRAP_KEY.slice(0, 12),
        createdBy: null,
      });
      expect(rows[0].hash).toBe(hashKey(BOOTSTRAP_KEY).toString('hex'));
      await expect(auth.authenticate(BOOTSTRAP_KEY)).resolves.toMatchObject({
        name: 'bootstrap-admin',
        scopes: ['admin'],
      });
      expect(logs.lines.join('\n')).not.toContain(BOOTSTRAP_KEY);
    });

    it('generates a key and prints it once to stdout when none is configured', async () => {
      const printed: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        return true;
      });
      const auth = service();
      await auth.onApplicationBootstrap();
      await service().onApplicationBootstrap();
      const output = printed.join('');
      const match = new RegExp(`${BOOTSTRAP_BANNER.replace(/[()]/g, '\\$&')} (hp_[A-Za-z0-9_-]{43})\\n`).exec(
        output,
      );
      expect(match).not.toBeNull();
      const key = match![1];
      expect(output.split(key)).toHaveLength(2); // printed exactly once
      expect(await repo.count()).toBe(1);
      await expect(auth.authenticate(key)).resolves.toMatchObject({
        name: 'bootstrap-admin',
        scopes: ['admin'],
      });
      expect(logs.lines.join('\n')).not.toContain(key);
    });

    it('does nothing when an active admin key already exists', async () => {
      await service().create({ name: 'existing-admin', scopes: ['admin'] });
      const print = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      await service().onApplicationBootstrap();
      await service({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY }).onApplicationBootstrap();
      expect(print).not.toHaveBeenCalled();
      expect((await repo.find()).map((k) => k.name)).toEqual(['existing-admin']);
    });

    it('does not bring back a revoked BOOTSTRAP_ADMIN_KEY', async () => {
      const auth = service({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY });
      await auth.onApplicationBootstrap();
      await auth.create({ name: 'admin-2', scopes: ['admin'] });
      const bootstrap = (await repo.findOneByOrFail({ name: 'bootstrap-admin' })).id;
      await auth.revoke(bootstrap);
      await service({ BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY }).onApplicationBootstrap();
      expect((await repo.findOneByOrFail({ id: bootstrap })).revokedAt).not.toBeNull();
      await expectProblem(service().authenticate(BOOTSTRAP_KEY), 401, 'API key revoked');
    });

    it('generates a new admin key when every admin key has expired', async () => {
      await service().create({ name: 'old-admin', scopes: ['admin'], expiresAt: now + 1000 });
      now += 2000;
      const print = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      await service().onApplicationBootstrap();
      expect(print).toHaveBeenCalledTimes(1);
      expect(await repo.count()).toBe(2);
    });
  });
});
