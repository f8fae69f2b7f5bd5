import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  type ArtifactEntry,
  type ArtifactStore,
} from './artifact-store';
import { ByteCounter } from './byte-counter';
import { assertKey, assertPrefix, validKeyOrUndefined } from './keys';

export interface S3ArtifactStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'; '' for the bucket root. */
  prefix?: string;
  region?: string;
  /** Endpoint of an S3-compatible server (moto, MinIO); path-style addressing is used with it. */
  endpoint?: string;
  /** Explicit credentials; the SDK's default provider chain (env, ECS task role, …) otherwise. */
  credentials?: S3ClientConfig['credentials'];
  /** Multipart part size for putStream (bytes, at least 5 MiB). */
  partSize?: number;
  /** A ready client (tests); the options above other than bucket/prefix are then ignored. */
  client?: S3Client;
}

/** A missing object: GetObject's NoSuchKey, HeadObject's bodiless 404 (NotFound). NoSuchBucket is a configuration error and stays one. */
function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; Code?: string } | undefined;
  return e?.name === 'NoSuchKey' || e?.Code === 'NoSuchKey' || e?.name === 'NotFound';
}

/**
 * Artifacts as objects in an S3 bucket under a key prefix. PutObject and CompleteMultipartUpload make
 * an object visible only when whole, so writes are atomic without a temporary key.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly partSize: number | undefined;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options.bucket) throw new Error('S3ArtifactStore needs a bucket');
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.partSize = options.partSize;
    this.ownsClient = !options.client;
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? 'us-east-1',
        ...(options.credentials ? { credentials: options.credentials } : {}),
        ...(options.endpoint
          ? {
              endpoint: options.endpoint,
              forcePathStyle: true,
              // S3-compatible servers differ in their support for the newer default checksums.
              requestChecksumCalculation: 'WHEN_REQUIRED',
              responseChecksumValidation: 'WHEN_REQUIRED',
            }
          : {}),
      });
  }

  private objectKey(key: string): string {
    assertKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  keyOf(uri: string): string | undefined {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    if (!match || match[1] !== this.bucket) return undefined;
    const objectKey = match[2]!;
    if (!this.prefix) return validKeyOrUndefined(objectKey);
    if (!objectKey.startsWith(`${this.prefix}/`)) return undefined;
    return validKeyOrUndefined(objectKey.slice(this.prefix.length + 1));
  }

  async put(key: string, body: Buffer | Uint8Array | string): Promise<void> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: data,
        ContentLength: data.byteLength,
      }),
    );
  }

  async putStream(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<number> {
    const objectKey = this.objectKey(key);
    const counter = new ByteCounter(options.maxBytes);
    // The pipeline carries a source error or the size limit into `counter`, which the upload reads;
    // a failed read makes Upload abort the multipart upload, so nothing is stored.
    let streamError: Error | undefined;
    pipeline(body, counter, (error) => {
      if (error) streamError = error;
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: objectKey, Body: counter },
      ...(this.partSize ? { partSize: this.partSize } : {}),
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      if (counter.maxBytes !== undefined && counter.bytes > counter.maxBytes)
        throw new ArtifactTooLargeError(counter.maxBytes);
      throw streamError ?? error;
    }
    if (streamError) {
      // Should not happen (the upload read the whole stream), but never report success over an error.
      await this.delete(key).catch(() => undefined);
      throw streamError;
    }
    return counter.bytes;
  }

  async get(key: string): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      const body = out.Body;
      if (body instanceof Readable) return body;
      // Not Node's http response (should not happen in Node): adapt the web stream.
      return Readable.fromWeb(body!.transformToWebStream() as import('node:stream/web').ReadableStream);
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return out.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listEntries(prefix)).map((e) => e.key);
  }

  async listEntries(prefix: string): Promise<ArtifactEntry[]> {
    assertPrefix(prefix);
    const base = this.prefix ? `${this.prefix}/` : '';
    const entries: ArtifactEntry[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: base + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of out.Contents ?? [])
        if (o.Key)
          entries.push({
            key: o.Key.slice(base.length),
            modifiedAt: o.LastModified?.getTime() ?? Date.now(),
          });
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    // Ten at a time: DeleteObjects would need checksums some S3-compatible servers handle differently.
    for (let i = 0; i < keys.length; i += 10)
      await Promise.all(keys.slice(i, i + 10).map((k) => this.delete(k)));
    return keys.length;
  }

  /**
   * Incomplete multipart uploads are aborted when the server's times say they are older than `olderThan`
   * (started and last part written) and this process has also seen them unchanged since before then:
   * S3-compatible servers differ in the times they report (moto answers a fixed 2010 date), so a live
   * upload is never judged by the server's clock alone. `now` is the time of this observation.
   */
  async sweepTemporaries(olderThan: number, now = Date.now()): Promise<number> {
    const base = this.prefix ? `${this.prefix}/` : '';
    const seen = new Map<string, { firstSeen: number; parts: string }>();
    let swept = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const out = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          ...(base ? { Prefix: base } : {}),
          ...(keyMarker ? { KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const upload of out.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        const parts = await this.partsOf(upload.Key, upload.UploadId);
        const before = this.uploadsSeen.get(upload.UploadId);
        const firstSeen = before && before.parts === parts.signature ? before.firstSeen : now;
        const stale =
          firstSeen < olderThan &&
          (upload.Initiated?.getTime() ?? Infinity) < olderThan &&
          parts.newest < olderThan;
        if (!stale) {
          seen.set(upload.UploadId, { firstSeen, parts: parts.signature });
          continue;
        }
        await this.client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.bucket,
            Key: upload.Key,
            UploadId: upload.UploadId,
          }),
        );
        swept++;
      }
      keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
      uploadIdMarker = out.IsTruncated ? out.NextUploadIdMarker : undefined;
    } while (keyMarker);
    // Only uploads still open are remembered.
    this.uploadsSeen = seen;
    return swept;
  }

  /** Incomplete multipart uploads seen by sweepTemporaries: when first seen with these parts. */
  private uploadsSeen = new Map<string, { firstSeen: number; parts: string }>();

  /** The newest part's time (0 without parts) and a signature that changes when a part is added. */
  private async partsOf(key: string, uploadId: string): Promise<{ newest: number; signature: string }> {
    let newest = 0;
    let count = 0;
    let bytes = 0;
    let marker: string | undefined;
    do {
      const out = await this.client.send(
        new ListPartsCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      for (const part of out.Parts ?? []) {
        newest = Math.max(newest, part.LastModified?.getTime() ?? 0);
        count++;
        bytes += part.Size ?? 0;
      }
      marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
    } while (marker);
    return { newest, signature: `${count}:${bytes}` };
  }

  /** Called by Nest on shutdown: closes the client's sockets. */
  onApplicationShutdown(): void {
    if (this.ownsClient) this.client.destroy();
  }
}
