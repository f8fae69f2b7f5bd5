import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { ArtifactNotFoundError, ArtifactTooLargeError } from '../src/storage/artifact-store';
import { LocalArtifactStore } from '../src/storage/local-artifact-store';
import { S3ArtifactStore } from '../src/storage/s3-artifact-store';
import {
  SERVICE_ENV,
  TEST_AWS_ENV,
  ensureBucket,
  startMoto,
  testS3Client,
  type MotoService,
} from './services';
import { describeArtifactStore, failingStream, slowStream } from './support/artifact-store-behaviour';
import { testProfile } from './support/test-app';

/**
 * Both artifact stores in every profile: S3ArtifactStore against a real moto server (the run's shared one
 * under `services`, one started here under `embedded`) and LocalArtifactStore in a temp dir.
 */
const MiB = 1024 * 1024;
const credentials = {
  accessKeyId: TEST_AWS_ENV.AWS_ACCESS_KEY_ID,
  secretAccessKey: TEST_AWS_ENV.AWS_SECRET_ACCESS_KEY,
};

let moto: MotoService | undefined;
let endpoint: string;
let bucket: string;

beforeAll(async () => {
  const shared = process.env[SERVICE_ENV.s3Endpoint];
  if (testProfile() === 'services' && shared) {
    endpoint = shared;
    bucket = process.env[SERVICE_ENV.s3Bucket]!;
  } else {
    moto = await startMoto();
    endpoint = moto.endpoint;
    bucket = 'housing-storage-test';
  }
  await ensureBucket(endpoint, bucket);
});

afterAll(async () => {
  await moto?.stop();
});

function s3Store(prefix = `storage-e2e/${randomUUID()}`, partSize?: number): S3ArtifactStore {
  return new S3ArtifactStore({
    bucket,
    prefix,
    endpoint,
    region: 'us-east-1',
    credentials,
    ...(partSize ? { partSize } : {}),
  });
}

async function emptyAndClose(store: S3ArtifactStore): Promise<void> {
  for (const key of await store.list('')) await store.delete(key);
  store.onApplicationShutdown();
}

describeArtifactStore('S3ArtifactStore on moto', async () => {
  const store = s3Store();
  return { store, cleanup: () => emptyAndClose(store) };
});

describeArtifactStore('LocalArtifactStore', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-store-e2e-'));
  return {
    store: new LocalArtifactStore(path.join(dir, 'artifacts')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('S3ArtifactStore specifics', () => {
  let store: S3ArtifactStore;
  beforeEach(() => {
    store = s3Store(undefined, 5 * MiB);
  });
  afterEach(async () => {
    await emptyAndClose(store);
  });

  async function pendingMultipartUploads(): Promise<string[]> {
    const client = testS3Client(endpoint);
    try {
      const out = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${store.prefix}/` }),
      );
      return (out.Uploads ?? []).map((u) => u.Key!);
    } finally {
      client.destroy();
    }
  }

  it('addresses objects as s3://bucket/prefix/key under the configured prefix', async () => {
    expect(store.uri('models/m/1/model.onnx')).toBe(`s3://${bucket}/${store.prefix}/models/m/1/model.onnx`);
    expect(store.keyOf(`s3://${bucket}/${store.prefix}/models/m/1/model.onnx`)).toBe('models/m/1/model.onnx');
    expect(store.keyOf(`s3://${bucket}/${store.prefix}`)).toBeUndefined();
    expect(store.keyOf(`s3://${bucket}/${store.prefix}x/k`)).toBeUndefined();
    expect(store.keyOf(`s3://${bucket}/other/k`)).toBeUndefined();
    await store.put('k', 'v');
    const other = s3Store(`storage-e2e/${randomUUID()}`);
    try {
      expect(await other.list('')).toEqual([]);
      expect(await other.exists('k')).toBe(false);
    } finally {
      other.onApplicationShutdown();
    }
  });

  it('works at the bucket root (empty prefix)', async () => {
    const rootBucket = `root-${randomUUID().slice(0, 8)}`;
    await ensureBucket(endpoint, rootBucket);
    const root = new S3ArtifactStore({ bucket: rootBucket, prefix: '', endpoint, credentials });
    try {
      await root.put('a/b.txt', 'x');
      expect(root.uri('a/b.txt')).toBe(`s3://${rootBucket}/a/b.txt`);
      expect(root.keyOf(`s3://${rootBucket}/a/b.txt`)).toBe('a/b.txt');
      expect(await root.list('')).toEqual(['a/b.txt']);
      await root.delete('a/b.txt');
    } finally {
      root.onApplicationShutdown();
    }
  });

  it('uploads a large stream as a multipart upload', async () => {
    const chunks = Array.from({ length: 12 }, () => randomBytes(MiB));
    expect(await store.putStream('big/input.csv', slowStream(chunks, 0))).toBe(12 * MiB);
    expect(await store.size('big/input.csv')).toBe(12 * MiB);
    expect((await store.get('big/input.csv')).equals(Buffer.concat(chunks))).toBe(true);
    expect(await pendingMultipartUploads()).toEqual([]);
  });

  it('aborts the multipart upload when the stream passes maxBytes after parts were sent', async () => {
    const chunks = Array.from({ length: 14 }, () => randomBytes(MiB));
    await expect(
      store.putStream('big/over.csv', slowStream(chunks, 0), { maxBytes: 12 * MiB }),
    ).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(await store.exists('big/over.csv')).toBe(false);
    expect(await store.list('')).toEqual([]);
    expect(await pendingMultipartUploads()).toEqual([]);
  });

  it('aborts the multipart upload when the source fails after parts were sent', async () => {
    await expect(store.putStream('big/failed.csv', failingStream(11 * MiB, 'disk gone'))).rejects.toThrow(
      'disk gone',
    );
    expect(await store.exists('big/failed.csv')).toBe(false);
    expect(await pendingMultipartUploads()).toEqual([]);
  });

  it('reports a missing bucket as an error, not as a missing artifact', async () => {
    const missing = new S3ArtifactStore({
      bucket: `missing-${randomUUID().slice(0, 8)}`,
      endpoint,
      credentials,
    });
    try {
      const error = await missing.get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ArtifactNotFoundError);
    } finally {
      missing.onApplicationShutdown();
    }
  });
});
