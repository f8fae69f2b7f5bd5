import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { notFound, ProblemException } from '../common/problem';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from '../database/data-source-options';
import type { DatasetService } from '../dataset/dataset.service';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';
import type { RegistryService } from '../model-registry/registry.service';
import { LocalArtifactStore } from '../storage/local-artifact-store';
import { BatchJobEntity } from './batch-job.entity';
import { BatchJobsService, type UploadSubmission } from './batch-jobs.service';
import type { BatchQueueService } from './batch-queue.service';
import type { CreateBatchJobDto } from './batch.dto';

/**
 * The service without HTTP: uploads are plain streams, JSON submissions plain DTOs. Real SQLite
 * (the app's migrations) and a real local store; the registry and the queue are stand-ins that
 * answer what the service asks of them.
 */
const LIMIT = 64 * 1024;
const production = { id: 'mv-prod', name: 'housets-xgboost', version: 3 } as ModelVersionEntity;
const principal: Principal = { keyId: 'key-1', name: 'tester', scopes: ['batch'] };

let dir: string;
let dataSource: DataSource;
let store: LocalArtifactStore;
let queued: string[];
let service: BatchJobsService;

beforeAll(() => Logger.overrideLogger(false));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'housing-batch-service-'));
  dataSource = new DataSource(dataSourceOptions({ database: { type: 'sqlite', path: ':memory:' } }));
  await dataSource.initialize();
  store = new LocalArtifactStore(path.join(dir, 'artifacts'));
  queued = [];
  const registry = {
    findProduction: async () => production,
    get: async (name: string, version: number) => {
      if (name === production.name && version === production.version) return production;
      throw notFound(`model ${name} version ${version} does not exist`);
    },
  } as unknown as RegistryService;
  const queue = {
    add: async (_name: string, _data: unknown, jobId: string) => void queued.push(jobId),
  } as unknown as BatchQueueService;
  const config = {
    BATCH_UPLOAD_LIMIT_BYTES: LIMIT,
    IDEMPOTENCY_KEY_TTL_SECONDS: 3600,
    ARTIFACT_STORE: store.uri('x').replace(/\/x$/, ''),
  } as AppConfig;
  service = new BatchJobsService(
    dataSource.getRepository(BatchJobEntity),
    store,
    config,
    registry,
    queue,
    {} as DatasetService,
  );
});

afterEach(async () => {
  await dataSource.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const csv = (rows: number) =>
  Buffer.from(
    ['zipcode,date,price', ...Array.from({ length: rows }, (_, i) => `7870${i % 10},2022-01-01,${i}`)].join(
      '\n',
    ),
  );

/** `body` in chunks of at most 1 KiB, as a request body arrives. */
const chunked = (body: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(body.length / 1024) }, (_, i) => body.subarray(i * 1024, (i + 1) * 1024)),
  );

const upload = (stream: Readable, more: Partial<UploadSubmission> = {}): UploadSubmission => ({
  stream,
  fileName: 'june.csv',
  explain: 0,
  principal,
  idempotencyKey: undefined,
  ...more,
});

/** The problem a call was refused with: status, type and the fields named. */
async function problemOf(
  promise: Promise<unknown>,
): Promise<{ status: number; type: string; errors: ProblemException['errors'] }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemException);
  const problem = error as ProblemException;
  return { status: problem.getStatus(), type: problem.problemType, errors: problem.errors };
}

describe('BatchJobsService.submitUpload (a plain stream, no HTTP)', () => {
  it('stores the stream as the job input and queues a job scored by the production version', async () => {
    const body = csv(500);
    const { job, replayed } = await service.submitUpload(upload(chunked(body)));
    expect(replayed).toBe(false);
    expect(job).toMatchObject({
      status: 'queued',
      inputKey: `batch/${job.id}/input.csv`,
      inputBytes: body.length,
      inputName: 'june.csv',
      modelName: production.name,
      modelVersion: production.version,
      apiKeyId: principal.keyId,
      explainTop: 0,
    });
    expect((await store.get(job.inputKey)).equals(body)).toBe(true);
    expect(await dataSource.getRepository(BatchJobEntity).findOneBy({ id: job.id })).toMatchObject({
      inputUri: store.uri(job.inputKey),
      status: 'queued',
    });
    expect(queued).toEqual([job.id]);
  });

  it('replays the job for the same key and bytes, refuses other bytes with 422, and stores one input', async () => {
    const body = csv(100);
    const first = await service.submitUpload(upload(chunked(body), { idempotencyKey: 'k-1' }));
    const again = await service.submitUpload(upload(chunked(body), { idempotencyKey: 'k-1' }));
    expect(again).toMatchObject({ replayed: true, job: { id: first.job.id } });
    const other = await problemOf(service.submitUpload(upload(chunked(csv(101)), { idempotencyKey: 'k-1' })));
    expect(other).toMatchObject({ status: 422, type: 'idempotency-key-reused' });
    const otherModel = await problemOf(
      service.submitUpload(
        upload(chunked(body), { idempotencyKey: 'k-1', model: { name: production.name, version: 3 } }),
      ),
    );
    expect(otherModel.status).toBe(422);
    expect(await store.list('batch/')).toEqual([first.job.inputKey]);
    expect(queued).toEqual([first.job.id]);
  });

  it('answers 413 past BATCH_UPLOAD_LIMIT_BYTES, exactly at the limit it accepts, and stores nothing too large', async () => {
    const exact = randomBytes(LIMIT);
    const { job } = await service.submitUpload(upload(chunked(exact)));
    expect(job.inputBytes).toBe(LIMIT);
    const over = await problemOf(service.submitUpload(upload(chunked(randomBytes(LIMIT + 1)))));
    expect(over).toMatchObject({ status: 413, type: 'payload-too-large' });
    expect(await store.list('batch/')).toEqual([job.inputKey]);
  });

  it('is a 400 naming the file when the stream fails (the upload was cut short), and stores nothing', async () => {
    const failing = Readable.from(
      (async function* () {
        yield csv(50);
        throw new Error('client went away');
      })(),
    );
    const problem = await problemOf(service.submitUpload(upload(failing)));
    expect(problem).toMatchObject({
      status: 400,
      errors: [{ field: 'file', message: 'the upload is malformed or was cut short: client went away' }],
    });
    expect(await store.list('')).toEqual([]);
    expect(queued).toEqual([]);
  });

  it('is a 400 for a stream that failed before the service read it', async () => {
    const failed = new Readable({ read() {} });
    failed.on('error', () => undefined);
    failed.destroy(new Error('reset by peer'));
    const problem = await problemOf(service.submitUpload(upload(failed)));
    expect(problem).toMatchObject({
      status: 400,
      errors: [{ field: 'file', message: 'the upload is malformed or was cut short: reset by peer' }],
    });
    expect(await store.list('')).toEqual([]);
  });

  it('refuses an unknown or half-named model before storing anything', async () => {
    const unknown = await problemOf(
      service.submitUpload(upload(chunked(csv(10)), { model: { name: production.name, version: 99 } })),
    );
    expect(unknown).toMatchObject({ status: 422, type: 'unknown-model-version' });
    const half = await problemOf(
      service.submitUpload(upload(chunked(csv(10)), { model: { name: production.name } })),
    );
    expect(half.status).toBe(400);
    expect(await store.list('')).toEqual([]);
  });

  it('binds a key to one job when two identical uploads race, and leaves no orphan input', async () => {
    const body = csv(300);
    const cleanups = jest.spyOn(store, 'deletePrefix');
    const results = await Promise.all(
      [0, 1, 2].map(() => service.submitUpload(upload(chunked(body), { idempotencyKey: 'race' }))),
    );
    const ids = new Set(results.map((r) => r.job.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    // The two losers stored their input before the unique index refused them: each removed its own.
    expect(results.filter((r) => r.replayed)).toHaveLength(2);
    const removed = cleanups.mock.calls.map(([prefix]) => prefix);
    expect(removed).toHaveLength(2);
    for (const prefix of removed) expect(prefix).toMatch(/^batch\/[0-9a-f-]{36}\/$/);
    expect(removed).not.toContain(`batch/${id}/`);
    expect(await store.list('batch/')).toEqual([`batch/${id}/input.csv`]);
    expect(
      createHash('sha256')
        .update(await store.get(`batch/${id}/input.csv`))
        .digest('hex'),
    ).toBe(createHash('sha256').update(body).digest('hex'));
  });
});

describe('BatchJobsService.submitUri (the validated JSON DTO)', () => {
  it('queues a job for an input already in the store, with its size', async () => {
    await store.put('datasets/june.csv', csv(20));
    const dto = { inputUri: store.uri('datasets/june.csv'), explain: 0 } as CreateBatchJobDto;
    const { job } = await service.submitUri(dto, principal, undefined);
    expect(job).toMatchObject({ inputKey: 'datasets/june.csv', inputBytes: csv(20).length, inputName: null });
    expect(queued).toEqual([job.id]);
  });
});
