import { Transform } from 'node:stream';
import { ArtifactTooLargeError } from './artifact-store';

/** A pass-through that counts bytes and fails with ArtifactTooLargeError before forwarding a byte past `maxBytes`. */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(readonly maxBytes?: number) {
    super();
    if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes >= 0)) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
  }

  override _transform(
    chunk: Buffer | string,
    encoding: BufferEncoding,
    callback: (error?: Error | null, data?: unknown) => void,
  ): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.bytes += buffer.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      callback(new ArtifactTooLargeError(this.maxBytes));
      return;
    }
    callback(null, buffer);
  }
}
