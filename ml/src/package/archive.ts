import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../errors';
import { PACKAGE_FILES, type ModelPackage, parseManifest } from './io';
import type { ModelEvaluation } from './manifest';

/**
 * Package archives: a gzipped ustar tar of the package's three files, the upload format of the
 * registry. Only regular files at the top level (or under one directory) are accepted.
 */
const BLOCK = 512;

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0', 136, 'latin1');
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

export function unpackArchive(archive: Uint8Array, maxBytes = 512 * 1024 * 1024): Record<string, Buffer> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new InputError(`package archive is not a readable .tar.gz (${(error as Error).message})`);
  }
  const files: Record<string, Buffer> = {};
  for (let offset = 0; offset + BLOCK <= tar.length; ) {
    const h = tar.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const prefix = h.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    if (Number.isNaN(size) || offset + BLOCK + size > tar.length) throw new InputError('package archive is truncated or corrupt');
    const full = (prefix ? `${prefix}/` : '') + name;
    if (type === '0' || type === '\0') files[full.split('/').pop()!] = Buffer.from(tar.subarray(offset + BLOCK, offset + BLOCK + size));
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

export function packPackage(pkg: ModelPackage): Buffer {
  return packArchive({
    'manifest.json': JSON.stringify(pkg.manifest, null, 2),
    'model.onnx': pkg.model,
    'evaluation.json': JSON.stringify(pkg.evaluation),
  });
}

/** Reads and checks (schema, checksum) a package from its archive; errors name what is wrong. */
export function readPackageArchive(archive: Uint8Array): ModelPackage {
  const files = unpackArchive(archive);
  const missing = PACKAGE_FILES.filter((f) => !files[f]);
  if (missing.length > 0) throw new InputError(`package archive lacks ${missing.join(', ')}`);
  let manifest: unknown;
  let evaluation: ModelEvaluation;
  try {
    manifest = JSON.parse(files['manifest.json']!.toString('utf8'));
    evaluation = JSON.parse(files['evaluation.json']!.toString('utf8')) as ModelEvaluation;
  } catch (error) {
    throw new InputError(`manifest.json or evaluation.json is not valid JSON (${(error as Error).message})`);
  }
  const model = new Uint8Array(files['model.onnx']!);
  return { manifest: parseManifest(manifest, model), model, evaluation };
}
