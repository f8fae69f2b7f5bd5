import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  SERVICE_ENV,
  TEST_AWS_ENV,
  ensureBucket,
  postgresAt,
  startTestServices,
  testS3Client,
  type TestServices,
} from './services';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels } from './support/model-fixture';
import { auth, registerProduction } from './batch-support';

/**
 * The README's backup and restore for PostgreSQL + S3 (compose, AWS): `pg_dump -Fc`, a copy of the
 * bucket's objects, wipe both, `pg_restore --clean --if-exists --no-owner`, copy the objects back, and
 * the registry serves the same model with the same prices and the datasets keep their checksums.
 * The bucket copy goes through the SDK (what `aws s3 sync` does; CI's container has no AWS CLI).
 * Real PostgreSQL and a real S3 server (moto) on both profiles: the run's shared ones under `services`,
 * started here under `embedded`.
 */
jest.setTimeout(240_000);

const run = promisify(execFile);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let own: TestServices | undefined;
let adminUrl: string;
let endpoint: string;
let bucket: string;
let dir: string;
let t: TestApp | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-backup-pg-'));
  if (process.env[SERVICE_ENV.postgresUrl] && process.env[SERVICE_ENV.s3Endpoint]) {
    adminUrl = process.env[SERVICE_ENV.postgresUrl]!;
    endpoint = process.env[SERVICE_ENV.s3Endpoint]!;
    bucket = process.env[SERVICE_ENV.s3Bucket]!;
  } else {
    own = await startTestServices({ redis: false });
    adminUrl = own.env[SERVICE_ENV.postgresUrl]!;
    endpoint = own.env[SERVICE_ENV.s3Endpoint]!;
    bucket = own.env[SERVICE_ENV.s3Bucket]!;
  }
  for (const [name, value] of Object.entries(TEST_AWS_ENV)) process.env[name] ??= value;
  await ensureBucket(endpoint, bucket);
});

afterAll(async () => {
  await t?.close();
  await own?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every object under `prefix/`, as `aws s3 sync s3://bucket/prefix <dir>` would copy them. */
async function copyBucketTo(prefix: string, target: string): Promise<number> {
  const s3 = testS3Client(endpoint);
  try {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }),
      );
      for (const { Key } of page.Contents ?? []) {
        const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: Key! }));
        const file = path.join(target, Key!);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, Buffer.from(await body.Body!.transformToByteArray()));
        count++;
      }
      token = page.NextContinuationToken;
    } while (token);
    return count;
  } finally {
    s3.destroy();
  }
}

/** Deletes every object under `prefix/` (the wipe). */
async function emptyPrefix(prefix: string): Promise<void> {
  const s3 = testS3Client(endpoint);
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
    for (const { Key } of page.Contents ?? [])
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  } finally {
    s3.destroy();
  }
}

/** Puts every file under `source` back at its key (`aws s3 sync <dir> s3://bucket`). */
async function copyBack(source: string): Promise<void> {
  const s3 = testS3Client(endpoint);
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((e) =>
      statSync(path.join(d, e)).isDirectory() ? walk(path.join(d, e)) : [path.join(d, e)],
    );
  try {
    for (const file of walk(source))
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: path.relative(source, file), Body: readFileSync(file) }),
      );
  } finally {
    s3.destroy();
  }
}

test('pg_dump + bucket copy, wipe both, pg_restore + copy back: the same model, the same prices, the same dataset bytes', async () => {
  const db = await postgresAt(adminUrl).createDatabase(
    `backup_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
  );
  const prefix = `backup-e2e-${randomUUID().slice(0, 8)}`;
  const settings = {
    DATABASE_URL: db.url,
    ARTIFACT_STORE: `s3://${bucket}/${prefix}`,
    S3_ENDPOINT: endpoint,
    S3_REGION: TEST_AWS_ENV.AWS_REGION,
    MODEL_RECONCILE_INTERVAL_MS: '0',
  };
  try {
    const { first } = await testModels();
    const RECORD = first.pkg.manifest.parity.records[0];
    t = await startTestApp(settings);
    const adminKey = t.adminKey;
    const model = await registerProduction(t, first);
    const before = await t.request().get('/v1/models/current').set(auth(t));
    const price = (await t.request().post('/v1/predictions').set(auth(t)).send({ record: RECORD })).body
      .price;
    expect(typeof price).toBe('number');
    const dataset = await t
      .request()
      .post('/v1/datasets')
      .set(auth(t))
      .field('spec', 'housets')
      .attach('file', readFileSync(first.csv), 'train.csv');
    expect(dataset.status).toBe(201);

    // backup: the database first (an artifact is written before the row that points at it), then the bucket
    const dump = path.join(dir, 'housing.dump');
    await run('pg_dump', ['-Fc', '-f', dump, db.url]);
    const copied = await copyBucketTo(prefix, path.join(dir, 'bucket'));
    expect(copied).toBeGreaterThanOrEqual(2); // the model package and the dataset at least
    await t.close();
    t = undefined;

    // wipe: an empty database of the same name, no objects
    await postgresAt(adminUrl).dropDatabase(db.name);
    await postgresAt(adminUrl).createDatabase(db.name);
    await emptyPrefix(prefix);

    // restore
    await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '-d', db.url, dump]);
    await copyBack(path.join(dir, 'bucket'));

    t = await startTestApp({ ...settings, BOOTSTRAP_ADMIN_KEY: adminKey });
    const after = await t.request().get('/v1/models/current').set(auth(t));
    expect(after.status).toBe(200);
    expect({ name: after.body.name, version: after.body.version }).toEqual(model);
    expect({ ...after.body, loadedAt: undefined }).toEqual({ ...before.body, loadedAt: undefined });
    const again = await t.request().post('/v1/predictions').set(auth(t)).send({ record: RECORD });
    expect(again.body.price).toBe(price);
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
    expect(content.status).toBe(200);
    expect(sha(content.body as Buffer)).toBe(dataset.body.sha256);
  } finally {
    await t?.close();
    t = undefined;
    await emptyPrefix(prefix).catch(() => undefined);
    await postgresAt(adminUrl)
      .dropDatabase(db.name)
      .catch(() => undefined);
  }
});
