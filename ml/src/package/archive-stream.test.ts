import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { InputError } from '../errors';
import { samplePackage } from '../test-support/package';
import { useTempDir } from '../test-support/tmp';
import { packPackage, readPackageArchive } from './archive';
import { readPackageArchiveStream } from './archive-stream';

/** Writes the sample package's files into `dir`. */
function writeFiles(dir: string): void {
  const pkg = samplePackage();
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(pkg.manifest));
  writeFileSync(path.join(dir, 'model.onnx'), pkg.model);
  writeFileSync(path.join(dir, 'evaluation.json'), JSON.stringify(pkg.evaluation));
}

async function refusal(input: Readable): Promise<InputError> {
  const error = await readPackageArchiveStream(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('readPackageArchiveStream', () => {
  const tmp = useTempDir('archive-stream-');

  it('round-trips what packPackage writes', async () => {
    const pkg = samplePackage();
    const read = await readPackageArchive(packPackage(pkg));
    expect(read.manifest).toEqual(pkg.manifest);
    expect(Buffer.from(read.model).equals(Buffer.from(pkg.model))).toBe(true);
  });

  it('reads GNU tar archives whose paths exceed 100 characters (long-name extension headers)', async () => {
    const nested = path.join('pkg', 'x'.repeat(90), 'y'.repeat(90));
    writeFiles(path.join(tmp(), nested));
    for (const format of ['gnu', 'pax']) {
      execFileSync('tar', [`--format=${format}`, '-czf', `${format}.tar.gz`, 'pkg'], { cwd: tmp() });
      const files = await readPackageArchiveStream(createReadStream(path.join(tmp(), `${format}.tar.gz`)));
      expect(JSON.parse(Buffer.from(files.manifest).toString()).model.name).toBe(
        samplePackage().manifest.model.name,
      );
    }
  });

  it('refuses symbolic links that tar stores as links', async () => {
    const dir = path.join(tmp(), 'linked');
    writeFiles(dir);
    symlinkSync('/etc/passwd', path.join(dir, 'notes.txt'));
    execFileSync('tar', ['czf', 'linked.tar.gz', 'linked'], { cwd: tmp() });
    const error = await refusal(createReadStream(path.join(tmp(), 'linked.tar.gz')));
    expect(error.message).toMatch(/notes\.txt" is a link/);
  });

  it('stops a gzip bomb at the inflated-size limit and refuses what is not a .tar.gz', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = await readPackageArchiveStream(Readable.from([bomb]), { maxTarBytes: 1024 * 1024 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/inflates to more than 1048576 bytes/);
    expect((await refusal(Readable.from([Buffer.from('plain text, not gzip')]))).message).toMatch(
      /not a readable \.tar\.gz/,
    );
    const truncated = packPackage(samplePackage()).subarray(0, 300);
    expect((await refusal(Readable.from([truncated]))).message).toMatch(/tar\.gz|truncated|corrupt/);
  });
});
