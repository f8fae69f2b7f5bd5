import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ServiceProcess, freePort } from './process';

/** backend/test/pytools: the uv project with moto[server] and schemathesis. */
export const PYTOOLS_DIR = path.resolve(__dirname, '..', 'pytools');

/** Credentials moto accepts (any); tests export them so the SDK's default chain never looks further. */
export const TEST_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Path of a pytools executable, syncing the venv first (backend/test/pytools/sync.sh, idempotent) when it is missing. */
export function pytool(name: string): string {
  const binary = path.join(PYTOOLS_DIR, '.venv', 'bin', name);
  if (!existsSync(binary)) {
    try {
      execFileSync(path.join(PYTOOLS_DIR, 'sync.sh'), {
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' },
      });
    } catch (error) {
      throw new Error(
        `could not sync ${PYTOOLS_DIR} (needs uv and the Python its pyproject.toml names): ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!existsSync(binary)) throw new Error(`${binary} is missing after syncing ${PYTOOLS_DIR}`);
  }
  return binary;
}

export interface MotoService {
  readonly port: number;
  /** http://127.0.0.1:PORT, for S3_ENDPOINT. */
  readonly endpoint: string;
  readonly region: string;
  /** An S3 client for this server (path-style, test credentials); destroyed by stop(). */
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

/** An S3 client for an S3-compatible endpoint with the test credentials. */
export function testS3Client(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: TEST_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: TEST_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates `bucket` on the server at `endpoint` unless it exists. */
export async function ensureBucket(endpoint: string, bucket: string, region = 'us-east-1'): Promise<void> {
  const client = testS3Client(endpoint, region);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    client.destroy();
  }
}

/** Starts moto's S3-compatible server (in-memory) on a free loopback port and waits until it answers HTTP. */
export async function startMoto(options: { port?: number } = {}): Promise<MotoService> {
  const binary = pytool('moto_server');
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = new ServiceProcess({
    name: `moto:${port}`,
    command: binary,
    args: ['-H', '127.0.0.1', '-p', String(port)],
    env: { ...process.env, ...TEST_AWS_ENV, PYTHONUNBUFFERED: '1' },
    stopSignal: 'SIGTERM',
  });
  await proc.waitUntil(async () => {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status < 500;
  }, 60000);
  const client = testS3Client(endpoint);
  return {
    port,
    endpoint,
    region: 'us-east-1',
    client,
    createBucket: (name) => ensureBucket(endpoint, name),
    async stop() {
      client.destroy();
      await proc.stop();
    },
    output: () => proc.output(),
  };
}
