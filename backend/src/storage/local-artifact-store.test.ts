import { existsSync, mkdtempSync, promises as fs, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  describeArtifactStore,
  failingStream,
  slowStream,
} from '../../test/support/artifact-store-behaviour';
import { ArtifactTooLargeError, InvalidArtifactKeyError } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'housing-store-unit-'));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, relative, including temporary ones. */
function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describeArtifactStore('LocalArtifactStore', async () => {
  const root = path.join(tempDir(), 'artifacts');
  return { store: new LocalArtifactStore(root) };
});

describe('LocalArtifactStore specifics', () => {
  let parent: string;
  let root: string;
  let store: LocalArtifactStore;

  beforeEach(() => {
    parent = tempDir();
    root = path.join(parent, 'artifacts');
    store = new LocalArtifactStore(root);
  });

  it('sweeps .partial files a crash left behind once older than the cut-off, and never a live one', async () => {
    await store.put('models/m/u1/model.onnx', 'onnx');
    const stale = path.join(
      root,
      'models',
      'm',
      'u1',
      '.model.onnx.0b9d6c1e-7a37-4b69-9d3a-2f1c8c7a5e11.partial',
    );
    const live = path.join(
      root,
      'models',
      'm',
      'u2',
      '.model.onnx.5f0c7e2a-1d4b-4c8e-8a8f-3e9b2d7c6a10.partial',
    );
    await fs.mkdir(path.dirname(live), { recursive: true });
    writeFileSync(stale, 'half');
    writeFileSync(live, 'half');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(stale, hourAgo, hourAgo);
    expect(await store.sweepTemporaries(Date.now() - 600_000)).toBe(1);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(await store.list('')).toEqual(['models/m/u1/model.onnx']);
    // deletePrefix of a folder takes its temporaries and the folder too.
    await store.deletePrefix('models/m/u2/');
    expect(existsSync(path.dirname(live))).toBe(false);
  });

  it('writes files under the root at the key path and gives file:// URIs', async () => {
    await store.put('models/m/1/model.onnx', 'onnx');
    expect(await fs.readFile(path.join(root, 'models', 'm', '1', 'model.onnx'), 'utf8')).toBe('onnx');
    expect(store.uri('models/m/1/model.onnx')).toBe(
      pathToFileURL(path.join(root, 'models/m/1/model.onnx')).href,
    );
    expect(store.uri('models/m/1/model.onnx')).toMatch(/^file:\/\/\//);
  });

  it('resolves a relative root against the working directory', () => {
    const relative = new LocalArtifactStore('.data/artifacts');
    expect(relative.root).toBe(path.resolve('.data/artifacts'));
    expect(relative.uri('k')).toBe(pathToFileURL(path.resolve('.data/artifacts/k')).href);
  });

  it('maps only URIs inside the root back to keys', () => {
    expect(store.keyOf(pathToFileURL(path.join(root, 'a/b.txt')).href)).toBe('a/b.txt');
    expect(store.keyOf(pathToFileURL(root).href)).toBeUndefined();
    expect(store.keyOf(pathToFileURL(path.join(parent, 'elsewhere.txt')).href)).toBeUndefined();
    // A sibling directory whose name starts with the root's is outside it.
    expect(store.keyOf(pathToFileURL(`${root}-other/a.txt`).href)).toBeUndefined();
    expect(store.keyOf(`file://${root}/../escape.txt`)).toBeUndefined();
    expect(store.keyOf('s3://bucket/a.txt')).toBeUndefined();
    expect(store.keyOf('file://remote-host/share/a.txt')).toBeUndefined();
  });

  it('never writes outside the root, whatever the key', async () => {
    for (const key of ['../outside.txt', 'a/../../outside.txt', path.join(parent, 'abs.txt')]) {
      await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
      await expect(store.putStream(key, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
        InvalidArtifactKeyError,
      );
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  it('leaves no temporary file behind when the source stream fails or is too large', async () => {
    await expect(store.putStream('batch/out.csv', failingStream(256 * 1024))).rejects.toThrow(
      'source stream failed',
    );
    await expect(
      store.putStream('batch/out.csv', slowStream([Buffer.alloc(2048)], 0), { maxBytes: 1024 }),
    ).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(allFiles(root)).toEqual([]);
  });

  it('leaves no temporary file behind when a concat part is missing', async () => {
    await store.put('shards/0.csv', 'a'.repeat(100_000));
    await expect(store.concat(['shards/0.csv', 'shards/1.csv'], 'out/result.csv')).rejects.toMatchObject({
      key: 'shards/1.csv',
    });
    expect(allFiles(root)).toEqual([path.join('shards', '0.csv')]);
  });

  it('moves by renaming: the file is the same inode at its new path', async () => {
    await store.put('attempts/a1/result.csv', 'rows');
    const { ino } = await fs.stat(path.join(root, 'attempts', 'a1', 'result.csv'));
    await store.move('attempts/a1/result.csv', 'jobs/j1/result.csv');
    expect((await fs.stat(path.join(root, 'jobs', 'j1', 'result.csv'))).ino).toBe(ino);
    expect(allFiles(root)).toEqual([path.join('jobs', 'j1', 'result.csv')]);
  });

  it('writes through a temporary file in the target directory that is invisible to list() and renamed into place', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const body = Readable.from(
      (async function* () {
        yield Buffer.from('first half,');
        await gate;
        yield Buffer.from('second half');
      })(),
    );
    const writing = store.putStream('out/result.csv', body);
    // Wait until the first chunk is on disk in a temporary file.
    for (let i = 0; i < 200 && allFiles(root).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const during = allFiles(root);
    expect(during).toHaveLength(1);
    expect(path.dirname(during[0]!)).toBe('out');
    expect(path.basename(during[0]!)).toMatch(/^\.result\.csv\..+\.partial$/);
    expect(await store.list('')).toEqual([]);
    expect(await store.exists('out/result.csv')).toBe(false);
    release();
    expect(await writing).toBe('first half,second half'.length);
    expect(allFiles(root)).toEqual([path.join('out', 'result.csv')]);
    expect((await store.get('out/result.csv')).toString()).toBe('first half,second half');
  });

  it('lists only files, not directories, and ignores a missing root', async () => {
    expect(await store.list('')).toEqual([]);
    await fs.mkdir(path.join(root, 'empty/dir'), { recursive: true });
    writeFileSync(path.join(root, 'file.txt'), 'x');
    expect(await store.list('')).toEqual(['file.txt']);
  });

  it('treats a directory as a missing object', async () => {
    await store.put('dir/inner.txt', 'x');
    await expect(store.get('dir')).rejects.toMatchObject({ name: 'Error', key: 'dir' });
    await expect(store.getStream('dir')).rejects.toMatchObject({ key: 'dir' });
    await expect(store.delete('dir')).resolves.toBeUndefined();
    expect(await store.exists('dir/inner.txt')).toBe(true);
  });
});
