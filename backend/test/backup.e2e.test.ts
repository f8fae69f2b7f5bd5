import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels } from './support/model-fixture';
import { auth, registerProduction } from './batch-support';

/**
 * scripts/backup.sh and scripts/restore.sh on the local setup (SQLite + file:// store, on either profile):
 * back up while the API runs, wipe, restore, and the registry serves the same model (same checksum, same
 * prices) and the datasets keep their checksums.
 */
jest.setTimeout(180_000);

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let t: TestApp | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-backup-'));
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('back up, wipe, restore: the same model serves the same prices and datasets keep their checksums', async () => {
  const local = {
    DATABASE_URL: `sqlite:${path.join(dir, 'state', 'housing.sqlite')}`,
    ARTIFACT_STORE: `file://${path.join(dir, 'state', 'artifacts')}`,
    S3_ENDPOINT: '',
    MODEL_RECONCILE_INTERVAL_MS: '0',
  };
  const env = {
    ...process.env,
    ...local,
    PATH: `${path.join(REPO, '.tools', 'node', 'bin')}:${process.env.PATH}`,
  };
  const { first } = await testModels();
  // a record the package itself was verified on (every field the model requires)
  const RECORD = first.pkg.manifest.parity.records[0];
  t = await startTestApp(local);
  const adminKey = t.adminKey;
  const model = await registerProduction(t, first);
  const before = await t.request().get('/v1/models/current').set(auth(t));
  const price = (await t.request().post('/v1/predictions').set(auth(t)).send({ record: RECORD })).body.price;
  expect(typeof price).toBe('number');
  const dataset = await t
    .request()
    .post('/v1/datasets')
    .set(auth(t))
    .field('spec', 'housets')
    .attach('file', readFileSync(first.csv), 'train.csv');
  expect(dataset.status).toBe(201);

  // online backup
  const backupDir = path.join(dir, 'backup');
  const backup = await run(path.join(REPO, 'scripts', 'backup.sh'), [backupDir], { env });
  expect(backup.stdout).toMatch(/backup: .* \(database \+ \d+ artifacts\)/);
  await t.close();
  t = undefined;

  // a restore onto existing data needs --force
  await expect(run(path.join(REPO, 'scripts', 'restore.sh'), [backupDir], { env })).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--force'),
  });
  rmSync(path.join(dir, 'state'), { recursive: true, force: true });
  expect(existsSync(path.join(dir, 'state'))).toBe(false);
  const restored = await run(path.join(REPO, 'scripts', 'restore.sh'), [backupDir], { env });
  expect(restored.stdout).toContain('checksums verified');

  t = await startTestApp({ ...local, BOOTSTRAP_ADMIN_KEY: adminKey });
  const after = await t.request().get('/v1/models/current').set(auth(t));
  expect(after.status).toBe(200);
  expect({ name: after.body.name, version: after.body.version }).toEqual(model);
  // everything but the time this process loaded it
  expect({ ...after.body, loadedAt: undefined }).toEqual({ ...before.body, loadedAt: undefined });
  const again = await t.request().post('/v1/predictions').set(auth(t)).send({ record: RECORD });
  expect(again.body.price).toBe(price);
  const shown = await t.request().get(`/v1/datasets/${dataset.body.id}`).set(auth(t));
  expect(shown.body.sha256).toBe(sha(readFileSync(first.csv)));
  const content = await t
    .request()
    .get(`/v1/datasets/${dataset.body.id}/content`)
    .set(auth(t))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(sha(content.body as Buffer)).toBe(dataset.body.sha256);
});

test('a corrupted backup is refused before anything is replaced', async () => {
  const state = path.join(dir, 'state2');
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${path.join(state, 'housing.sqlite')}`,
    ARTIFACT_STORE: `file://${path.join(state, 'artifacts')}`,
    PATH: `${path.join(REPO, '.tools', 'node', 'bin')}:${process.env.PATH}`,
  };
  const backupDir = path.join(dir, 'backup');
  const manifest = JSON.parse(readFileSync(path.join(backupDir, 'MANIFEST.json'), 'utf8'));
  manifest.database.sha256 = '0'.repeat(64);
  writeFileSync(path.join(backupDir, 'MANIFEST.json'), JSON.stringify(manifest));
  await expect(run(path.join(REPO, 'scripts', 'restore.sh'), [backupDir], { env })).rejects.toMatchObject({
    stderr: expect.stringContaining('does not match its checksum'),
  });
  expect(existsSync(path.join(state, 'housing.sqlite'))).toBe(false);
});
