import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  type ArtifactEntry,
  type ArtifactStore,
  type ByteRange,
} from './artifact-store';
import { ByteCounter } from './byte-counter';
import { assertByteRange, assertKey, assertPrefix, validKeyOrUndefined } from './keys';

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
  /**
   * Server-side copies (move, concat): the largest object one CopyObject or UploadPartCopy request
   * copies (S3: 5 GB), and the part size a larger one is copied in. Smaller values are for tests.
   */
  copyLimits?: Partial<CopyLimits>;
}

export interface CopyLimits {
  /** Largest object copied by one request; larger ones are copied in ranged parts. */
  maxCopyBytes: number;
  /** Largest ranged part of a larger one, which is cut in even parts (at least 10 MiB, at most maxCopyBytes). */
  copyPartBytes: number;
}

const MiB = 1024 * 1024;
/** S3's smallest multipart part (the last part excepted). */
const MIN_PART_BYTES = 5 * MiB;
/** S3's most parts in one multipart upload. */
const MAX_PARTS = 10_000;
const S3_COPY_LIMITS: CopyLimits = { maxCopyBytes: 5 * 1024 ** 3, copyPartBytes: 512 * MiB };

/** A GetObject range that starts at or past the object's end (S3 answers 416 InvalidRange). */
function isInvalidRange(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'InvalidRange' || e?.Code === 'InvalidRange' || e?.$metadata?.httpStatusCode === 416;
}

/** A source object of a copy, as HeadObject saw it. */
interface CopySource {
  key: string;
  objectKey: string;
  bytes: number;
  etag: string | undefined;
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
  private readonly copyLimits: CopyLimits;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options.bucket) throw new Error('S3ArtifactStore needs a bucket');
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.partSize = options.partSize;
    this.copyLimits = { ...S3_COPY_LIMITS, ...options.copyLimits };
    const { maxCopyBytes, copyPartBytes } = this.copyLimits;
    if (!(copyPartBytes >= 2 * MIN_PART_BYTES && copyPartBytes <= maxCopyBytes))
      throw new RangeError(
        `copyPartBytes must be at least 10 MiB (so even parts stay above S3's 5 MiB minimum) and at most maxCopyBytes, got ${copyPartBytes}`,
      );
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

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const objectKey = this.objectKey(key);
    if (range) assertByteRange(range);
    // HTTP ranges cannot be empty: an empty one only checks that the object is there.
    if (range && range.end === range.start) return this.emptyStreamOf(key);
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          ...(range && { Range: `bytes=${range.start}-${range.end === undefined ? '' : range.end - 1}` }),
        }),
      );
      const body = out.Body;
      if (body instanceof Readable) return body;
      // Not Node's http response (should not happen in Node): adapt the web stream.
      return Readable.fromWeb(body!.transformToWebStream() as import('node:stream/web').ReadableStream);
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(key);
      // A range starting at or past the end (an empty object included) reads nothing.
      if (range && isInvalidRange(error)) return this.emptyStreamOf(key);
      throw error;
    }
  }

  private async emptyStreamOf(key: string): Promise<Readable> {
    if (!(await this.exists(key))) throw new ArtifactNotFoundError(key);
    return Readable.from([]);
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
   * A server-side copy, then the source is deleted. The copy is one CopyObject up to 5 GB, a multipart
   * upload of ranged UploadPartCopy parts beyond: either way the target appears whole when complete.
   */
  async move(from: string, to: string): Promise<void> {
    this.objectKey(to);
    const source = await this.copySource(from);
    // S3 refuses to copy an object onto itself unchanged.
    if (from === to) return;
    if (source.bytes <= this.copyLimits.maxCopyBytes) {
      try {
        await this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(to),
            CopySource: this.copySourceHeader(source),
            ...(source.etag && { CopySourceIfMatch: source.etag }),
          }),
        );
      } catch (error) {
        if (isNotFound(error)) throw new ArtifactNotFoundError(from);
        throw error;
      }
    } else {
      await this.multipartCopy([source], to);
    }
    await this.delete(from);
  }

  /**
   * Server-side when it can be: a multipart upload whose parts are UploadPartCopy requests, which S3
   * allows when every part but the last has at least 5 MiB. Otherwise (a small part in the middle, or
   * more than 10,000 parts) the parts stream through this process into putStream.
   */
  async concat(keys: string[], to: string): Promise<number> {
    this.objectKey(to);
    for (const key of keys) this.objectKey(key);
    // Empty parts add no bytes (and S3 takes no empty part but the last).
    const parts = (await this.copySources(keys)).filter((s) => s.bytes > 0);
    const total = parts.reduce((n, s) => n + s.bytes, 0);
    if (parts.length === 0) {
      await this.put(to, Buffer.alloc(0));
      return 0;
    }
    const copyable =
      parts.slice(0, -1).every((s) => s.bytes >= MIN_PART_BYTES) &&
      parts.reduce((n, s) => n + this.copyRanges(s.bytes).length, 0) <= MAX_PARTS;
    if (copyable) {
      await this.multipartCopy(parts, to);
      return total;
    }
    const bytes = async function* (this: S3ArtifactStore) {
      for (const part of parts) yield* await this.getStream(part.key);
    }.call(this);
    return this.putStream(to, Readable.from(bytes));
  }

  /** copySource of every key, ten HEAD requests at a time (a batch may assemble hundreds of shards). */
  private async copySources(keys: string[]): Promise<CopySource[]> {
    const sources: CopySource[] = [];
    for (let i = 0; i < keys.length; i += 10)
      sources.push(...(await Promise.all(keys.slice(i, i + 10).map((key) => this.copySource(key)))));
    return sources;
  }

  /** What a copy needs to know of a source object (ArtifactNotFoundError when missing). */
  private async copySource(key: string): Promise<CopySource> {
    const objectKey = this.objectKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { key, objectKey, bytes: out.ContentLength ?? 0, etag: out.ETag };
    } catch (error) {
      if (isNotFound(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
  }

  /** The x-amz-copy-source value: bucket and key, each segment URL-encoded. */
  private copySourceHeader(source: CopySource): string {
    return `${this.bucket}/${source.objectKey.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The inclusive byte ranges an object of `bytes` is copied in (one without range when it fits one request). */
  private copyRanges(bytes: number): Array<[number, number] | undefined> {
    if (bytes <= this.copyLimits.maxCopyBytes) return [undefined];
    // Even parts, each between half of copyPartBytes and all of it: never under S3's 5 MiB minimum,
    // even when another object's parts follow.
    const count = Math.min(MAX_PARTS, Math.ceil(bytes / this.copyLimits.copyPartBytes));
    const partBytes = Math.ceil(bytes / count);
    const ranges: Array<[number, number]> = [];
    for (let start = 0; start < bytes; start += partBytes)
      ranges.push([start, Math.min(start + partBytes, bytes) - 1]);
    return ranges;
  }

  /**
   * Copies `sources` in order into one multipart upload at `to`; every source must still be the
   * object HeadObject saw (CopySourceIfMatch), else the copy fails. Aborted on any failure.
   */
  private async multipartCopy(sources: CopySource[], to: string): Promise<void> {
    const Key = this.objectKey(to);
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }),
    );
    try {
      const parts: CompletedPart[] = [];
      for (const source of sources)
        for (const range of this.copyRanges(source.bytes)) {
          const PartNumber = parts.length + 1;
          const out = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber,
              CopySource: this.copySourceHeader(source),
              ...(range && { CopySourceRange: `bytes=${range[0]}-${range[1]}` }),
              ...(source.etag && { CopySourceIfMatch: source.etag }),
            }),
          );
          parts.push({ PartNumber, ETag: out.CopyPartResult?.ETag });
        }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      if (isNotFound(error)) {
        const gone = await this.firstMissing(sources);
        if (gone) throw new ArtifactNotFoundError(gone);
      }
      throw error;
    }
  }

  /** The first of `sources` no longer in the store, if any. */
  private async firstMissing(sources: CopySource[]): Promise<string | undefined> {
    for (const source of sources) if (!(await this.exists(source.key))) return source.key;
    return undefined;
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
