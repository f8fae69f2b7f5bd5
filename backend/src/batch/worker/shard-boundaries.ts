import type { Readable } from 'node:stream';

/** A byte range of a CSV input holding whole records. */
export interface ShardRange {
  /** First byte (the first shard starts at 0 and holds the header). */
  start: number;
  /** One past the last byte. */
  end: number;
  /** The 1-based input line its first data record starts on. */
  firstLine: number;
}

export interface ShardPlan {
  /** Bytes of the header record (with its line break): prepended to every shard after the first. */
  headerEnd: number;
  /** Physical lines the header record spans (more than 1 when a quoted name holds a line break). */
  headerLines: number;
  shards: ShardRange[];
  bytes: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Splits a CSV into ranges of about `targetBytes` that end at record boundaries, in one pass over the
 * bytes without parsing fields. A quote opens a quoted field only at the start of a field (after a
 * comma, a line break or the file's start, after a BOM), as the platform's CSV reader reads it; a
 * line break inside quotes is data. Quote-free stretches are skipped with `indexOf`, so the pass
 * costs a fraction of parsing. Shard boundaries depend only on the bytes and `targetBytes`: a job
 * split again (after Redis lost it) gets the same shards.
 */
export async function planShards(input: Readable, targetBytes: number): Promise<ShardPlan> {
  const shards: ShardRange[] = [];
  let base = 0;
  /** '\n' bytes seen so far. */
  let lines = 0;
  let inQuotes = false;
  /** The last byte of the previous chunk was a quote inside a quoted field (closing or escaped?). */
  let pendingQuote = false;
  /** Whether the byte before the current position ends a field (comma, line break, start). */
  let prev = NEWLINE;
  let headerEnd = -1;
  let headerLines = 0;
  let shardStart = 0;
  let shardFirstLine = 0;
  let nextCut = Infinity;
  let first = true;
  /** Where the first field starts: after a UTF-8 BOM. */
  let fileStart = 0;

  const recordEnd = (offset: number) => {
    if (headerEnd < 0) {
      headerEnd = offset;
      headerLines = lines;
      shardFirstLine = lines + 1;
      nextCut = offset + targetBytes;
      return;
    }
    if (offset >= nextCut) {
      shards.push({ start: shardStart, end: offset, firstLine: shardFirstLine });
      shardStart = offset;
      shardFirstLine = lines + 1;
      nextCut = offset + targetBytes;
    }
  };

  for await (const raw of input) {
    const buf: Buffer = typeof raw === 'string' ? Buffer.from(raw) : (raw as Buffer);
    let i = 0;
    if (first) {
      first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = fileStart = 3;
    }
    if (pendingQuote && buf.length > 0) {
      pendingQuote = false;
      if (buf[0] === QUOTE) i = 1;
      else inQuotes = false;
    }
    let nextQuote = -2;
    while (i < buf.length) {
      if (inQuotes) {
        const q = buf.indexOf(QUOTE, i);
        const stop = q === -1 ? buf.length : q;
        for (let k = buf.indexOf(NEWLINE, i); k !== -1 && k < stop; k = buf.indexOf(NEWLINE, k + 1)) lines++;
        if (q === -1) break;
        if (q + 1 >= buf.length) {
          pendingQuote = true;
          break;
        }
        if (buf[q + 1] === QUOTE) i = q + 2;
        else {
          inQuotes = false;
          i = q + 1;
          prev = QUOTE;
        }
        nextQuote = -2;
        continue;
      }
      if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i);
      const nl = buf.indexOf(NEWLINE, i);
      if (nextQuote !== -1 && (nl === -1 || nextQuote < nl)) {
        const before = nextQuote > 0 ? buf[nextQuote - 1]! : prev;
        if (before === COMMA || before === NEWLINE || base + nextQuote === fileStart) inQuotes = true;
        i = nextQuote + 1;
        prev = QUOTE;
        continue;
      }
      if (nl === -1) break;
      lines++;
      prev = NEWLINE;
      i = nl + 1;
      recordEnd(base + i);
    }
    if (buf.length > 0) prev = buf[buf.length - 1]!;
    base += buf.length;
  }
  const bytes = base;
  if (headerEnd < 0) {
    // One record, no line break after it: the header alone.
    headerEnd = bytes;
    headerLines = lines;
  }
  if (shardStart < bytes || shards.length === 0) {
    shards.push({ start: shardStart, end: bytes, firstLine: shardFirstLine || headerLines + 1 });
  }
  // A last shard much smaller than the target is folded into the one before it.
  if (shards.length > 1) {
    const last = shards[shards.length - 1]!;
    if (last.end - last.start < targetBytes / 4) {
      shards.pop();
      shards[shards.length - 1]!.end = last.end;
    }
  }
  return { headerEnd, headerLines, shards, bytes };
}
