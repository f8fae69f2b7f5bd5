import { finished, PassThrough, type Readable } from 'node:stream';
import type { MultipartFile } from '@fastify/multipart';
import { ArtifactTooLargeError } from '../storage/artifact-store';

/**
 * The file part as a plain stream: fastify's two ways of saying "past the size limit" (an error, or
 * a part that ends truncated) become ArtifactTooLargeError; other errors (a malformed or cut-short
 * upload) pass as they are.
 */
export function plainFileStream(file: MultipartFile, limitBytes: number): Readable {
  const plain = new PassThrough();
  // The upload may fail before the service starts reading (it resolves the model first): the error
  // stays on `plain` (destroyed, `errored`) for the reader instead of crashing as an unhandled event.
  plain.on('error', () => undefined);
  // finished() also reports a part that failed before this point (fastify destroys it with the error).
  finished(file.file, { writable: false }, (error) => {
    if (plain.destroyed) return;
    const pastLimit = error
      ? (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE'
      : file.file.truncated;
    if (pastLimit) plain.destroy(new ArtifactTooLargeError(limitBytes));
    else if (error) plain.destroy(error);
    else plain.end();
  });
  file.file.pipe(plain, { end: false });
  return plain;
}

/** Reads and drops the rest of a request stream (at most 10 s). */
export async function drain(stream: Readable): Promise<void> {
  stream.unpipe();
  if (stream.destroyed || stream.readableEnded) return;
  stream.resume();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
