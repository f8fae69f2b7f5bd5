import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

type Dtype = '<f4' | '<f8';

/**
 * NumPy .npy files: the interchange with the Python trainer. Dense float matrices need no more than a
 * header and the raw little-endian values, which numpy can memory-map without a copy.
 */
function header(dtype: Dtype, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1')]);
}

/** Writes an .npy file incrementally: the shape is declared up front, rows are appended in chunks. */
export class NpyWriter {
  private readonly fd: number;
  private written = 0;
  constructor(
    private readonly path: string,
    dtype: Dtype,
    private readonly shape: readonly number[],
  ) {
    this.fd = openSync(path, 'w');
    writeSync(this.fd, header(dtype, shape));
  }
  write(values: Float32Array | Float64Array): void {
    writeSync(this.fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.written += values.length;
  }
  close(): void {
    closeSync(this.fd);
    const expected = this.shape.reduce((a, b) => a * b, 1);
    if (this.written !== expected)
      throw new Error(`${this.path}: wrote ${this.written} values, shape needs ${expected}`);
  }
}

export function writeNpy(
  path: string,
  values: Float32Array | Float64Array,
  shape: readonly number[] = [values.length],
): void {
  const writer = new NpyWriter(path, values instanceof Float32Array ? '<f4' : '<f8', shape);
  writer.write(values);
  writer.close();
}

export function readNpy(path: string): { data: Float32Array | Float64Array; shape: number[] } {
  const buffer = readFileSync(path);
  if (buffer.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not an .npy file`);
  const major = buffer[6]!;
  const headerLength = major === 1 ? buffer.readUInt16LE(8) : buffer.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const dict = buffer.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(dict)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(dict)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (/'fortran_order':\s*True/.test(dict))
    throw new Error(`${path}: Fortran-ordered arrays are not supported`);
  const bytes = buffer.subarray(start);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (descr === '<f4') return { data: new Float32Array(copy.buffer), shape };
  if (descr === '<f8') return { data: new Float64Array(copy.buffer), shape };
  throw new Error(`${path}: dtype ${descr} is not supported (float32 or float64 only)`);
}
