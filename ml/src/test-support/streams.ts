import { Readable } from 'node:stream';
import { readCsv, type CsvStats } from '../csv/reader';

/** Seeded 32-bit PRNG for test data (mulberry32, written out here so tests do not depend on the code under test). */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A Readable that emits `data` as Buffers of 1..maxPiece bytes (sizes drawn from a seeded PRNG), so chunk
 * boundaries fall inside quotes, CRLF pairs and multi-byte UTF-8 characters.
 */
export function chunkedReadable(data: string | Buffer, seed = 1, minPiece = 1, maxPiece = 7): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const random = testRandom(seed);
  const pieces: Buffer[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const size = minPiece + Math.floor(random() * (maxPiece - minPiece + 1));
    pieces.push(bytes.subarray(pos, pos + size));
    pos += size;
  }
  let i = 0;
  return new Readable({
    read() {
      this.push(i < pieces.length ? pieces[i++] : null);
    },
  });
}

/** A Readable that emits all of `data` as one chunk. */
export function singleChunkReadable(data: string | Buffer): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let sent = false;
  return new Readable({
    read() {
      this.push(sent ? null : bytes);
      sent = true;
    },
  });
}

export interface ParsedCsv {
  header: string[];
  rows: { fields: string[]; line: number }[];
  stats: CsvStats;
}

/** Runs readCsv and collects everything it reports. */
export async function parseCsv(input: string | Readable): Promise<ParsedCsv> {
  let header: string[] = [];
  const rows: ParsedCsv['rows'] = [];
  const stats = await readCsv(input, {
    header(columns) {
      header = columns;
    },
    row(fields, line) {
      rows.push({ fields, line });
    },
  });
  return { header, rows, stats };
}

/** Parses CSV text held in memory (as one chunk). */
export const parseCsvText = (text: string) => parseCsv(singleChunkReadable(text));
