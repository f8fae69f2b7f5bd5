import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { GUARD_SCRIPT, tcpExchange } from './process';
import { findExecutable } from './binaries';
import { freePort, startTestServices, withClient, type TestServices } from './index';

async function redisAnswers(port: number): Promise<boolean> {
  return tcpExchange(port, 'PING\r\n', 500).then(
    (r) => r.startsWith('+PONG'),
    () => false,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The service helpers themselves: each test file may start its own set, e.g. to restart Redis. */
describe('test services', () => {
  let services: TestServices;

  beforeAll(async () => {
    services = await startTestServices({ postgres: true, redis: true, s3: false });
  });

  afterAll(async () => {
    await services?.stop();
  });

  it('starts Postgres on loopback with CREATE DATABASE / DROP DATABASE', async () => {
    const pg = services.postgres!;
    expect(pg.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    const db = await pg.createDatabase();
    const version = await withClient(
      db.url,
      async (c) => (await c.query('SHOW server_version')).rows[0]!.server_version,
    );
    expect(String(version)).toMatch(/^\d+/);
    await pg.dropDatabase(db.name);
    await expect(withClient(db.url, (c) => c.query('SELECT 1'))).rejects.toThrow(/does not exist/);
  });

  it('kills and restarts Redis on the same port', async () => {
    const redis = services.redis!;
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redisAnswers(redis.port)).toBe(true);
    await redis.kill();
    expect(redis.running).toBe(false);
    expect(await redisAnswers(redis.port)).toBe(false);
    await redis.start();
    expect(await redisAnswers(redis.port)).toBe(true);
    await redis.restart({ downForMs: 100 });
    expect(redis.running).toBe(true);
    expect(await redisAnswers(redis.port)).toBe(true);
    await redis.restart({ graceful: true });
    expect(await redisAnswers(redis.port)).toBe(true);
  });

  it('hands globalSetup’s services to the test files under the services profile', () => {
    if (process.env.TEST_PROFILE === 'services') {
      expect(process.env.TEST_POSTGRES_URL).toMatch(/^postgres:\/\//);
      expect(process.env.TEST_REDIS_URL).toMatch(/^redis:\/\//);
      expect(process.env.TEST_S3_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } else {
      expect(process.env.TEST_PROFILE).toBe('embedded');
    }
  });

  it('takes a service down when the process that started it dies without stopping it', async () => {
    const port = await freePort();
    // A separate Node process starts redis under the guard, reports its pid, and is then SIGKILLed.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn('sh', ['-c', process.env.GUARD, 'guard', 'TERM', '', process.env.REDIS, '--port', process.env.PORT, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['pipe', 'ignore', 'ignore', 'pipe'] });
      g.stdio[3].on('data', (d) => process.stdout.write(String(d)));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', script], {
      env: {
        ...process.env,
        GUARD: GUARD_SCRIPT,
        REDIS: findExecutable('redis-server', 'redis-server'),
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const pid = Number(String(line).trim());
    expect(pid).toBeGreaterThan(0);
    try {
      expect(await eventually(() => redisAnswers(port))).toBe(true);
      parent.kill('SIGKILL');
      await once(parent, 'exit');
      expect(await eventually(() => !alive(pid))).toBe(true);
      expect(await redisAnswers(port)).toBe(false);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
