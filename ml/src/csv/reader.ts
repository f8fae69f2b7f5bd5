import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors';

export interface CsvHandlers {
  /** Called once with the header's column names. */
  header(columns: string[]): void;
  /** Called per data row; `line` is the 1-based line number where the row starts. */
  row(fields: string[], line: number): void;
  /** Awaited after each chunk's rows: the place for async work such as writing output, which also pauses reading. */
  chunkDone?(stats: CsvStats): Promise<void> | void;
  /** Sees every raw byte chunk, e.g. to hash the file while it is read. */
  bytes?(chunk: Buffer): void;
}

export interface CsvStats {
  rows: number;
  lines: number;
  bytes: number;
}

/**
 * Parses a quoted record starting at `start`. Returns the fields and the index after the record's
 * line break, or undefined when the record runs past the end of `text` (more input is needed).
 */
function parseQuotedRecord(
  text: string,
  start: number,
  final: boolean,
): { fields: string[]; end: number; breaks: number } | undefined {
  const fields: string[] = [];
  let field = '';
  let i = start;
  let breaks = 0;
  for (;;) {
    if (i >= text.length) {
      if (!final) return undefined;
      fields.push(field);
      return { fields, end: i, breaks: breaks + 1 };
    }
    if (text.charCodeAt(i) === 34 /* " */) {
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) {
          if (!final) return undefined;
          throw new InputError(`CSV: unterminated quoted field starting on line ${'{line}'}`);
        }
        const piece = text.slice(i, close);
        for (let k = piece.indexOf('\n'); k !== -1; k = piece.indexOf('\n', k + 1)) breaks++;
        field += piece;
        if (text.charCodeAt(close + 1) === 34) {
          field += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
    }
    // Unquoted remainder of the field, up to the next separator or line end.
    let j = i;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 44 /* , */ || c === 10 /* \n */) break;
      j++;
    }
    if (j >= text.length && !final) return undefined;
    if (j < text.length && text.charCodeAt(j) === 44) {
      fields.push(field + text.slice(i, j));
      field = '';
      i = j + 1;
      continue;
    }
    // Only an unquoted CR before the line break belongs to a CRLF; a quoted one is data.
    const tail = text.slice(i, j);
    fields.push(field + (tail.endsWith('\r') ? tail.slice(0, -1) : tail));
    return { fields, end: j + 1, breaks: breaks + 1 };
  }
}

/**
 * Streams an RFC 4180 CSV (comma-separated, double-quoted fields may hold commas, quotes and line
 * breaks; CRLF or LF; a UTF-8 BOM is skipped) through callbacks. Memory is bounded by one chunk,
 * whatever the file size. Blank lines are skipped but counted in line numbers.
 */
export async function readCsv(input: string | Readable, handlers: CsvHandlers): Promise<CsvStats> {
  const stream =
    typeof input === 'string' ? createReadStream(input, { highWaterMark: 1 << 20 }) : (input as Readable);
  const decoder = new StringDecoder('utf8');
  const stats: CsvStats = { rows: 0, lines: 0, bytes: 0 };
  let pending = '';
  let headerSeen = false;
  let line = 1;

  const emit = (fields: string[], startLine: number) => {
    if (!headerSeen) {
      headerSeen = true;
      handlers.header(fields.map((f) => f.trim()));
    } else {
      stats.rows++;
      handlers.row(fields, startLine);
    }
  };

  const consume = (final: boolean) => {
    const text = pending;
    let pos = 0;
    // The next quote is found once and reused: searching per line would rescan a quote-free chunk per row.
    let quote = text.indexOf('"');
    for (;;) {
      if (quote !== -1 && quote < pos) quote = text.indexOf('"', pos);
      const nl = text.indexOf('\n', pos);
      if (nl === -1 && !(final && pos < text.length)) break;
      const lineEnd = nl === -1 ? text.length : nl;
      if (quote === -1 || quote > lineEnd) {
        let end = lineEnd;
        if (end > pos && text.charCodeAt(end - 1) === 13) end--;
        if (end > pos) emit(text.slice(pos, end).split(','), line);
        line++;
        pos = lineEnd + 1;
        continue;
      }
      let record;
      try {
        record = parseQuotedRecord(text, pos, final);
      } catch (error) {
        if (error instanceof InputError) throw new InputError(error.message.replace('{line}', String(line)), { line });
        throw error;
      }
      if (!record) break;
      emit(record.fields, line);
      line += record.breaks;
      pos = record.end;
    }
    pending = text.slice(pos);
  };

  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    stats.bytes += bytes.length;
    handlers.bytes?.(bytes);
    pending += decoder.write(bytes);
    // A UTF-8 byte order mark (spreadsheet exports) precedes the header, quoted or not.
    if (stats.bytes === bytes.length && pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
    consume(false);
    await handlers.chunkDone?.(stats);
  }
  pending += decoder.end();
  consume(true);
  await handlers.chunkDone?.(stats);
  if (!headerSeen) throw new InputError('CSV is empty: no header line');
  stats.lines = line - 1;
  return stats;
}

/** Quotes a field when it holds a separator, quote or line break (RFC 4180). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',');
}
