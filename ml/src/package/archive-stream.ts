import { once } from 'node:events';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { InputError } from '../errors';
import { PACKAGE_LIMITS } from './manifest';
import { OPTIONAL_PACKAGE_FILES, PACKAGE_FILES, checkPackageFileSize, type PackageFiles } from './io';

const KEPT_FILES: readonly string[] = [...PACKAGE_FILES, ...OPTIONAL_PACKAGE_FILES];

export interface ArchiveLimits {
  /** Bytes of the inflated tar stream (headers, expected and ignored entries); a gzip bomb stops here. */
  maxTarBytes?: number;
  /** Entries of any kind (directories, ignored files). */
  maxEntries?: number;
}

const DEFAULT_LIMITS: Required<ArchiveLimits> = {
  maxTarBytes:
    PACKAGE_LIMITS.modelBytes +
    PACKAGE_LIMITS.manifestBytes +
    PACKAGE_LIMITS.evaluationBytes +
    PACKAGE_LIMITS.coversBytes +
    64 * 1024 * 1024,
  maxEntries: 1000,
};

/** Entry types a package may hold: regular files and the directories they sit in. */
const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory']);

/** Why an entry cannot be in a package, or undefined. */
function entryProblem(entry: ReadEntry): string | undefined {
  const name = entry.path;
  if (entry.type === 'SymbolicLink' || entry.type === 'Link')
    return `${JSON.stringify(name)} is a link; a package holds regular files only`;
  if (!ALLOWED_TYPES.has(entry.type))
    return `${JSON.stringify(name)} is a ${entry.type} entry; a package holds regular files only`;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\'))
    return `${JSON.stringify(name)} is an absolute or non-portable path; package paths are relative`;
  if (name.split('/').includes('..')) return `${JSON.stringify(name)} contains ".."`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(name)) return `${JSON.stringify(name)} contains control characters`;
  return undefined;
}

/** Counts bytes through the pipe and fails once there are more than `max`. */
class Limit extends Transform {
  private bytes = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max)
      done(new InputError(`the package archive inflates to more than ${this.max} bytes`));
    else done(null, chunk);
  }
}

/**
 * Reads a package's files (trees.json too when present) from a .tar.gz stream without buffering the archive: gunzip runs on
 * libuv's thread pool, node-tar parses headers (GNU and PAX long names included), and only the
 * expected files (by base name, at any depth) are kept; other regular files are skipped unread.
 * Links, absolute paths, `..`, duplicates and files over their limit are refused with an InputError
 * before their bodies are read.
 */
export async function readPackageArchiveStream(
  input: Readable,
  limits: ArchiveLimits = {},
): Promise<PackageFiles> {
  const { maxTarBytes, maxEntries } = { ...DEFAULT_LIMITS, ...limits };
  const found = new Map<string, Buffer>();
  let entries = 0;
  let refusal: InputError | undefined;
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      if (refusal) return entry.resume();
      const problem =
        ++entries > maxEntries ? `the archive has more than ${maxEntries} entries` : entryProblem(entry);
      const base = entry.path.replace(/\/+$/, '').split('/').pop() ?? '';
      const expected = entry.type !== 'Directory' && KEPT_FILES.includes(base);
      try {
        if (problem) throw new InputError(`package archive refused: ${problem}`);
        if (expected && found.has(base))
          throw new InputError(`package archive refused: it holds ${base} twice`);
        if (expected) checkPackageFileSize(base, entry.size ?? 0);
      } catch (error) {
        refusal = error as InputError;
        return entry.resume();
      }
      if (!expected) return entry.resume();
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => found.set(base, Buffer.concat(chunks)));
    },
  });
  // once() rejects on an 'error' event, e.g. a corrupt header under `strict`.
  const done = once(parser, 'end');
  done.catch(() => undefined);
  // `strict` turns a corrupt header into an error event; it must not become an unhandled one.
  let parseError: Error | undefined;
  parser.on('error', (error: Error) => (parseError ??= error));
  try {
    await pipeline(input, createGunzip(), new Limit(maxTarBytes), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        // After a refusal the rest is still read (not parsed), so the client gets its answer, not a reset.
        if (refusal || parseError) continue;
        if (!parser.write(chunk)) await once(parser, 'drain');
      }
      parser.end();
    });
    await done;
  } catch (error) {
    if (refusal) throw refusal;
    if (error instanceof InputError) throw error;
    throw new InputError(`package archive is not a readable .tar.gz (${(error as Error).message})`);
  }
  if (refusal) throw refusal;
  if (parseError) throw new InputError(`package archive is truncated or corrupt (${parseError.message})`);
  const missing = PACKAGE_FILES.filter((f) => !found.has(f));
  if (missing.length > 0) throw new InputError(`package archive lacks ${missing.join(', ')}`);
  const model = found.get('model.onnx')!;
  const covers = found.get('trees.json');
  return {
    manifest: found.get('manifest.json')!,
    model: new Uint8Array(model.buffer, model.byteOffset, model.byteLength),
    evaluation: found.get('evaluation.json')!,
    ...(covers && { covers: new Uint8Array(covers.buffer, covers.byteOffset, covers.byteLength) }),
  };
}
