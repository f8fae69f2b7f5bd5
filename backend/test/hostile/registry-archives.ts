import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';

/** One raw tar entry: `type` is the ustar typeflag ('0' file, '2' symlink, '1' hard link, '5' directory). */
export interface RawEntry {
  name: string;
  type?: '0' | '1' | '2' | '5';
  body?: Buffer | string;
  /** Declared size when no body is given (the body is then that many zero bytes). */
  size?: number;
  linkname?: string;
}

const BLOCK = 512;

/** A ustar header; names up to 100 bytes (longer names are what GNU/PAX extensions are for). */
export function tarHeader(entry: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(entry.name, 0, 100, 'utf8');
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
  h.write(entry.type ?? '0', 156, 'latin1');
  if (entry.linkname) h.write(entry.linkname, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

const pad = (n: number) => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

/** A .tar.gz of raw entries, in memory (bodies of `size` zero bytes compress to almost nothing). */
export function rawArchive(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.body === undefined ? Buffer.alloc(e.size ?? 0) : Buffer.from(e.body);
    const size = e.type === '2' || e.type === '1' || e.type === '5' ? 0 : body.length;
    parts.push(tarHeader(e, size), e.type && e.type !== '0' ? Buffer.alloc(0) : body, pad(size));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts), { level: 1 });
}

/**
 * Writes a .tar.gz to `file` whose first entry is `paddingBytes` of random data (incompressible, so the
 * upload really is that large) followed by `files`; streamed, never held in memory.
 */
export async function writeLargeArchive(
  file: string,
  paddingBytes: number,
  files: Record<string, Buffer | string>,
): Promise<void> {
  const { randomFillSync } = await import('node:crypto');
  const chunk = Buffer.alloc(1024 * 1024);
  async function* parts() {
    yield tarHeader({ name: 'padding.bin' }, paddingBytes);
    for (let left = paddingBytes; left > 0; left -= chunk.length) {
      randomFillSync(chunk);
      yield Buffer.from(chunk.subarray(0, Math.min(chunk.length, left)));
    }
    yield pad(paddingBytes);
    for (const [name, content] of Object.entries(files)) {
      const body = Buffer.from(content);
      yield tarHeader({ name }, body.length);
      yield body;
      yield pad(body.length);
    }
    yield Buffer.alloc(BLOCK * 2);
  }
  // Level 0: the gzip format with stored blocks, quick to write for a test.
  await pipeline(Readable.from(parts()), createGzip({ level: 0 }), createWriteStream(file));
}
