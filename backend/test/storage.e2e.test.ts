import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeleteObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { ArtifactNotFoundError, ArtifactTooLargeError } from '../src/storage/artifact-store';
import { LocalArtifactStore } from '../src/storage/local-artifact-store';
import { S3ArtifactStore, type CopyLimits } from '../src/storage/s3-artifact-store';
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

function s3Store(
  prefix = `storage-e2e/${randomUUID()}`,
  partSize?: number,
  copyLimits?: CopyLimits,
): S3ArtifactStore {
  return new S3ArtifactStore({
    bucket,
    prefix,
    endpoint,
    region: 'us-east-1',
    credentials,
    ...(partSize ? { partSize } : {}),
    ...(copyLimits ? { copyLimits } : {}),
  });
}

/** The commands a store's client sends from now on (name and input), recorded by a client middleware. */
function recordCommands(
  store: S3ArtifactStore,
  before?: (name: string, input: Record<string, unknown>) => Promise<void>,
): Array<{ name: string; input: Record<string, unknown> }> {
  const sent: Array<{ name: string; input: Record<string, unknown> }> = [];
  store.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      sent.push({ name: context.commandName!, input });
      await before?.(context.commandName!, input);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return sent;
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

  /** Copies in one request up to 12 MiB, beyond that in even parts of at most 10 MiB. */
  const smallCopyLimits: CopyLimits = { maxCopyBytes: 12 * MiB, copyPartBytes: 10 * MiB };

  it('moves with one server-side CopyObject: no bytes pass through the process', async () => {
    const body = randomBytes(2 * MiB);
    await store.put('m/source', body);
    const sent = recordCommands(store);
    await store.move('m/source', 'm/target');
    expect(sent.map((c) => c.name)).toEqual([
      'HeadObjectCommand',
      'CopyObjectCommand',
      'DeleteObjectCommand',
    ]);
    expect((await store.get('m/target')).equals(body)).toBe(true);
    expect(await store.exists('m/source')).toBe(false);
  });

  it('moves an object past the single-copy limit in even ranged UploadPartCopy parts', async () => {
    const big = s3Store(undefined, undefined, smallCopyLimits);
    try {
      const body = randomBytes(25 * MiB + 3);
      await big.put('m/big', body);
      const sent = recordCommands(big);
      await big.move('m/big', 'm/moved');
      const copies = sent.filter((c) => c.name === 'UploadPartCopyCommand');
      // 25 MiB in parts of at most 10 MiB: three even parts, none under S3's 5 MiB minimum.
      const part = Math.ceil(body.length / 3);
      expect(copies.map((c) => c.input.CopySourceRange)).toEqual([
        `bytes=0-${part - 1}`,
        `bytes=${part}-${2 * part - 1}`,
        `bytes=${2 * part}-${body.length - 1}`,
      ]);
      expect(sent.map((c) => c.name)).not.toContain('CopyObjectCommand');
      expect((await big.get('m/moved')).equals(body)).toBe(true);
      expect(await big.exists('m/big')).toBe(false);
      expect(await pendingMultipartUploads()).toEqual([]);
    } finally {
      await emptyAndClose(big);
    }
  });

  it('concatenates parts of 5 MiB and more server-side, a big part in ranges, the last part any size', async () => {
    const big = s3Store(undefined, undefined, smallCopyLimits);
    try {
      const parts = [randomBytes(13 * MiB), randomBytes(5 * MiB), randomBytes(10)];
      await Promise.all(parts.map((p, i) => big.put(`c/${i}`, p)));
      const sent = recordCommands(big);
      expect(await big.concat(['c/0', 'c/1', 'c/2'], 'c/out')).toBe(18 * MiB + 10);
      const names = sent.map((c) => c.name);
      // 13 MiB is past the 12 MiB single-copy limit: two ranged parts, then one part per other object.
      expect(names.filter((n) => n === 'UploadPartCopyCommand')).toHaveLength(4);
      expect(names).not.toContain('UploadPartCommand');
      expect(names).not.toContain('PutObjectCommand');
      expect((await big.get('c/out')).equals(Buffer.concat(parts))).toBe(true);
      expect(await pendingMultipartUploads()).toEqual([]);
    } finally {
      await emptyAndClose(big);
    }
  });

  it('streams a concat through putStream when a part before the last is under 5 MiB', async () => {
    const parts = [randomBytes(6 * MiB), randomBytes(1024), randomBytes(6 * MiB)];
    await Promise.all(parts.map((p, i) => store.put(`c/${i}`, p)));
    const sent = recordCommands(store);
    expect(await store.concat(['c/0', 'c/1', 'c/2'], 'c/out')).toBe(12 * MiB + 1024);
    const names = sent.map((c) => c.name);
    expect(names).not.toContain('UploadPartCopyCommand');
    expect(names).toContain('UploadPartCommand');
    expect((await store.get('c/out')).equals(Buffer.concat(parts))).toBe(true);
    expect(await pendingMultipartUploads()).toEqual([]);
  });

  it('aborts a server-side concat whose part disappears mid-copy, names the part and stores nothing', async () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(100)];
    await Promise.all(parts.map((p, i) => store.put(`c/${i}`, p)));
    await store.put('c/out', 'previous');
    const client = testS3Client(endpoint);
    try {
      recordCommands(store, async (name, input) => {
        if (name === 'UploadPartCopyCommand' && input.PartNumber === 2)
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${store.prefix}/c/1` }));
      });
      await expect(store.concat(['c/0', 'c/1', 'c/2'], 'c/out')).rejects.toMatchObject({
        constructor: ArtifactNotFoundError,
        key: 'c/1',
      });
    } finally {
      client.destroy();
    }
    expect((await store.get('c/out')).toString()).toBe('previous');
    expect(await pendingMultipartUploads()).toEqual([]);
  });

  it('refuses copy limits that could make a part smaller than S3 allows', () => {
    expect(() => s3Store(undefined, undefined, { maxCopyBytes: 12 * MiB, copyPartBytes: 5 * MiB })).toThrow(
      RangeError,
    );
    expect(() => s3Store(undefined, undefined, { maxCopyBytes: 12 * MiB, copyPartBytes: 20 * MiB })).toThrow(
      RangeError,
    );
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
