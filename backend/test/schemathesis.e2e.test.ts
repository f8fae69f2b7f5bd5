import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels } from './support/model-fixture';

/**
 * Property-based API testing: schemathesis generates requests from /docs-json (valid and invalid) with a
 * valid admin key, runs every phase (explicit examples, coverage, fuzzing and the stateful phase, which
 * chains operations through the ids responses return) and every check (no 5xx, status codes, content
 * types, headers and bodies as documented, invalid data refused, valid data accepted, 405 for
 * undocumented methods, auth enforced, …). Fuzzing and the stateful phase stop at MAX_TIME_S so the run
 * fits CI on both profiles.
 */
jest.setTimeout(600_000);

/** The time budget of one schemathesis run (per profile). */
const MAX_TIME_S = 150;

const SCHEMATHESIS = path.resolve(__dirname, 'pytools/.venv/bin/schemathesis');

let t: TestApp;
let base: string;
let key: string;

beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS))
    spawnSync('bash', [path.resolve(__dirname, 'pytools/sync.sh')], { stdio: 'inherit' });
  const { first } = await testModels();
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const admin = { 'x-api-key': t.adminKey };
  const registered = await t
    .request()
    .post('/v1/models')
    .set(admin)
    .attach('package', first.archive, 'p.tar.gz');
  await t
    .request()
    .put(`/v1/models/${registered.body.name}/versions/1/stage`)
    .set(admin)
    .send({ stage: 'production' });
  // A key of its own with a high limit: generated traffic must not be answered 429.
  const created = await t
    .request()
    .post('/v1/keys')
    .set(admin)
    .send({ name: 'schemathesis', scopes: ['admin'], rateLimitPerMinute: 1_000_000 });
  key = created.body.key;
});

afterAll(async () => {
  await t?.close();
});

/** Runs a command without blocking this process's event loop (the API under test runs in it). */
function run(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

it('finds no failing check in any phase, stateful included', async () => {
  const { status, output } = await run(
    SCHEMATHESIS,
    [
      '--config-file',
      path.resolve(__dirname, 'schemathesis.toml'),
      'run',
      `${base}/docs-json`,
      '--header',
      `X-API-Key: ${key}`,
      '--checks',
      'all',
      // DELETE on this API cancels a batch job or revokes a key; the record stays readable with its new
      // status (documented, and clients rely on it), which use_after_free takes for a leak.
      '--exclude-checks',
      'use_after_free',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-time',
      String(MAX_TIME_S),
      '--max-examples',
      '20',
      '--seed',
      '1',
      '--request-timeout',
      '20',
      '--suppress-health-check',
      'all',
    ],
    (MAX_TIME_S + 240) * 1000,
  );
  if (status !== 0) {
    // The whole report (every failure with its curl reproduction) is kept beside the test output.
    const report = path.join(
      os.tmpdir(),
      `schemathesis-${process.env.TEST_PROFILE ?? 'embedded'}-${process.pid}.log`,
    );
    writeFileSync(report, output);
    process.stderr.write(`${output.slice(-8000)}\nfull report: ${report}\n`);
  }
  expect(output).toMatch(/\d+ passed/);
  expect(status).toBe(0);
});
