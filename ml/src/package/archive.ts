import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { coversBytes, parsePackageFiles, type ModelPackage } from './io';
import { readPackageArchiveStream } from './archive-stream';

export { readPackageArchiveStream, type ArchiveLimits } from './archive-stream';

/**
 * Package archives: a gzipped tar of the package's three files, the upload format of the registry.
 * This writer (used by `ml pack` and tests) writes plain ustar; the reader (archive-stream.ts) reads
 * what `tar czf` writes too (GNU and PAX long names).
 */
const BLOCK = 512;

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write(
    Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0') + '\0',
    136,
    'latin1',
  );
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

export function packArchive(files: Record<string, Uint8Array | string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    parts.push(header(name, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts));
}

export function packPackage(pkg: ModelPackage): Buffer {
  return packArchive({
    'manifest.json': JSON.stringify(pkg.manifest, null, 2),
    'model.onnx': pkg.model,
    'evaluation.json': JSON.stringify(pkg.evaluation),
    ...(pkg.covers !== undefined && { 'trees.json': coversBytes(pkg) }),
  });
}

/** Reads and checks (size, schema, checksum) a package from its archive in memory; errors name what is wrong. */
export async function readPackageArchive(archive: Uint8Array): Promise<ModelPackage> {
  return parsePackageFiles(await readPackageArchiveStream(Readable.from([Buffer.from(archive)])));
}
