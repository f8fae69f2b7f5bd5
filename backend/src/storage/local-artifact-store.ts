import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  type ArtifactEntry,
  type ArtifactStore,
  type ByteRange,
} from './artifact-store';
import { ByteCounter } from './byte-counter';
import { assertByteRange, assertKey, assertPrefix, validKeyOrUndefined } from './keys';

/** Temporary files are `.<name>.<uuid>.partial` beside their target; list() never shows them. */
const TEMP_FILE = /^\..*\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.partial$/;

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // EISDIR: a "directory" is not an object (S3 has no directories either); ENOTDIR: a path through a file.
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR';
}

/**
 * Artifacts as files under a root directory. A write goes to a temporary file in the target's own
 * directory (same filesystem), is flushed, then renamed over the target: readers see the old object
 * or the complete new one, never a partial file.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...assertKey(key).split('/'));
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  keyOf(uri: string): string | undefined {
    let file: string;
    try {
      if (!uri.startsWith('file:')) return undefined;
      file = fileURLToPath(uri);
    } catch {
      return undefined;
    }
    const relative = path.relative(this.root, file);
    if (relative === '' || path.isAbsolute(relative) || relative.split(path.sep)[0] === '..')
      return undefined;
    return validKeyOrUndefined(relative.split(path.sep).join('/'));
  }

  async put(key: string, body: Buffer | Uint8Array | string): Promise<void> {
    const target = this.pathOf(key);
    await this.atomically(target, (temp) => fs.writeFile(temp, body, { flag: 'wx', flush: true }));
  }

  async putStream(key: string, body: Readable, options: { maxBytes?: number } = {}): Promise<number> {
    const target = this.pathOf(key);
    const counter = new ByteCounter(options.maxBytes);
    try {
      await this.atomically(target, (temp) =>
        pipeline(body, counter, createWriteStream(temp, { flags: 'wx', flush: true })),
      );
    } catch (error) {
      if (counter.maxBytes !== undefined && counter.bytes > counter.maxBytes)
        throw new ArtifactTooLargeError(counter.maxBytes);
      throw error;
    }
    return counter.bytes;
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.pathOf(key);
    if (range) assertByteRange(range);
    const handle = await this.openFile(key, file);
    if (!range) return handle.createReadStream();
    if (range.end === range.start) {
      await handle.close();
      return Readable.from([]);
    }
    // createReadStream's end is inclusive; past the file's end it reads nothing.
    return handle.createReadStream({
      start: range.start,
      ...(range.end !== undefined && { end: range.end - 1 }),
    });
  }

  /** Opens a key's file for reading: a missing key (or a directory) rejects here, not as a stream error later. */
  private async openFile(key: string, file: string): Promise<fs.FileHandle> {
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(file, 'r');
      if ((await handle.stat()).isFile()) return handle;
    } catch (error) {
      await handle?.close();
      if (isMissing(error)) throw new ArtifactNotFoundError(key);
      throw error;
    }
    await handle.close();
    throw new ArtifactNotFoundError(key);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const stat = await fs.stat(this.pathOf(key));
      return stat.isFile() ? stat.size : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await fs.unlink(this.pathOf(key));
    } catch (error) {
      if (!isMissing(error) && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listEntries(prefix)).map((e) => e.key);
  }

  async listEntries(prefix: string): Promise<ArtifactEntry[]> {
    assertPrefix(prefix);
    // Walk only the deepest directory the prefix names, then filter by the string prefix (S3 semantics).
    const slash = prefix.lastIndexOf('/');
    const base = slash < 0 ? '' : prefix.slice(0, slash);
    const entries: ArtifactEntry[] = [];
    await this.walk(base, (key, file, stat) => {
      if (!TEMP_FILE.test(file) && key.startsWith(prefix)) entries.push({ key, modifiedAt: stat.mtimeMs });
    });
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (const key of keys) await this.delete(key);
    // A "folder" prefix also loses its temporary files and empty directories.
    if (prefix.endsWith('/') && prefix.length > 1)
      await fs.rm(path.join(this.root, ...prefix.slice(0, -1).split('/')), { recursive: true, force: true });
    return keys.length;
  }

  /** A rename: atomic on the root's filesystem, so racing moves to one target leave one of the objects whole. */
  async move(from: string, to: string): Promise<void> {
    const source = this.pathOf(from);
    const target = this.pathOf(to);
    await (await this.openFile(from, source)).close();
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.rename(source, target);
    } catch (error) {
      // Gone since the check (another move took it).
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await this.exists(from)))
        throw new ArtifactNotFoundError(from);
      throw error;
    }
  }

  /** The parts stream, in order, into a temporary file beside the target, which is then renamed over it. */
  async concat(keys: string[], to: string): Promise<number> {
    const target = this.pathOf(to);
    for (const key of keys) assertKey(key);
    const counter = new ByteCounter();
    const parts = async function* (this: LocalArtifactStore) {
      for (const key of keys) yield* await this.getStream(key);
    }.call(this);
    await this.atomically(target, (temp) =>
      pipeline(parts, counter, createWriteStream(temp, { flags: 'wx', flush: true })),
    );
    return counter.bytes;
  }

  async sweepTemporaries(olderThan: number): Promise<number> {
    const stale: string[] = [];
    await this.walk('', (_, file, stat, full) => {
      if (TEMP_FILE.test(file) && stat.mtimeMs < olderThan) stale.push(full);
    });
    for (const file of stale) await fs.rm(file, { force: true });
    return stale.length;
  }

  /** Calls `visit` for every file under a directory key (temporary files included). */
  private async walk(
    dirKey: string,
    visit: (key: string, file: string, stat: { mtimeMs: number }, full: string) => void,
  ): Promise<void> {
    const dir = dirKey === '' ? this.root : path.join(this.root, ...dirKey.split('/'));
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(key, visit);
      else if (entry.isFile()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat) visit(key, entry.name, stat, full);
      }
    }
  }

  /** Runs `write(temp)` for a fresh temporary file beside `target`, then renames it into place; removes it on failure. */
  private async atomically(target: string, write: (temp: string) => Promise<unknown>): Promise<void> {
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    // The name keeps a readable hint of its target but stays under NAME_MAX (255).
    const temp = path.join(dir, `.${path.basename(target).slice(0, 100)}.${randomUUID()}.partial`);
    try {
      await write(temp);
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
