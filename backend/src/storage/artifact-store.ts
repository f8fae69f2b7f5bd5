import type { Readable } from 'node:stream';

/**
 * Where packages, batch inputs and batch outputs live, addressed by key (a relative path such as
 * `models/housets-xgboost/1/model.onnx`). Two implementations: a local directory and an S3 bucket.
 * Writes are atomic: an object is either absent or complete.
 */
export interface ArtifactStore {
  /** URI of a key, e.g. file:///abs/path/key or s3://bucket/prefix/key. */
  uri(key: string): string;
  /** The key of a URI inside this store, or undefined when the URI points elsewhere. */
  keyOf(uri: string): string | undefined;
  put(key: string, body: Buffer | Uint8Array | string): Promise<void>;
  /** Streams `body` to `key`; the object appears only when the stream completed. Returns bytes written. */
  putStream(key: string, body: Readable, options?: { maxBytes?: number }): Promise<number>;
  get(key: string): Promise<Buffer>;
  /**
   * The object's bytes as a stream; with `range`, only those bytes (clipped to the object: a range
   * starting at or past its end is empty). ArtifactNotFoundError when the key is missing, RangeError
   * for a range that is not one (negative, fractional, end before start).
   */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix (for listing and tests). */
  list(prefix: string): Promise<string[]>;
  /** Keys under a prefix with when each was last written (epoch ms), sorted by key. */
  listEntries(prefix: string): Promise<ArtifactEntry[]>;
  /**
   * Deletes every object under a prefix (string-prefix semantics, as list); returns how many. A
   * folder-like prefix (ending in '/') also takes what interrupted writers left under it (local
   * temporary files), so a killed attempt's folder goes whole.
   */
  deletePrefix(prefix: string): Promise<number>;
  /**
   * Moves the object at `from` to `to`, replacing what was there: readers of `to` see the previous
   * object or the whole moved one, never a mix, also when moves race to the same target.
   * ArtifactNotFoundError when `from` is missing.
   */
  move(from: string, to: string): Promise<void>;
  /**
   * Writes one object at `to` whose bytes are those of `keys` in order (no keys: an empty object),
   * appearing whole as a write does. Returns its size. ArtifactNotFoundError names a missing part;
   * nothing is written then.
   */
  concat(keys: string[], to: string): Promise<number>;
  /**
   * Removes what interrupted writes left behind and nobody will finish: temporary files (local) or
   * incomplete multipart uploads (S3) last touched before `olderThan` (epoch ms). `now` is the time of
   * the call (a store may also require to have seen a temporary unchanged since before `olderThan`).
   * Returns how many were removed.
   */
  sweepTemporaries(olderThan: number, now?: number): Promise<number>;
}

export interface ArtifactEntry {
  key: string;
  /** Last write, epoch milliseconds. */
  modifiedAt: number;
}

/** Byte offsets into an object: `start` included, `end` excluded (default: the object's end). */
export interface ByteRange {
  start: number;
  end?: number;
}

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');

/** Raised by putStream when the body exceeds maxBytes; nothing is stored. */
export class ArtifactTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`upload exceeds the limit of ${maxBytes} bytes`);
  }
}

export class ArtifactNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`artifact not found: ${key}`);
  }
}

/** Raised for a key that is empty, absolute, or escapes the store (`..`, `.`, empty segments, backslashes). */
export class InvalidArtifactKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid artifact key ${JSON.stringify(key)}: ${reason}`);
  }
}
