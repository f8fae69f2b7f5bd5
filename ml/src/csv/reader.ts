import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors';

export interface CsvHandlers {
  /** Called once with the header's column names. */
  header(columns: string[]): void;
  /** Called per data row; `line` is the 1-based line number where the row starts. */
  row(fields: string[], line: number): void;
  /**
   * When given, called instead of `row` for a data row without quotes: its raw text (without its line
   * break) and the positions of its commas in it (`commas[0 .. count - 1]`; field k runs from after comma
   * k - 1 to comma k). No field strings are made: the caller reads what it needs. `commas` is reused,
   * valid only during the call.
   */
  line?(text: string, commas: Int32Array, count: number, line: number): void;
  /** Awaited after each chunk's rows: the place for async work such as writing output, which also pauses reading. */
  chunkDone?(stats: CsvStats): Promise<void> | void;
  /** Sees every raw byte chunk, e.g. to hash the file while it is read. */
  bytes?(chunk: Buffer): void;
  /**
   * Called for a data record longer than the reader's limit (`line`: where it starts), instead of
   * `row`; reading resumes at the next line break. Without it such a record fails the read. `start` is
   * the record's raw text up to REJECTED_START_CHARS characters, to tell the user which row it was.
   */
  rejected?(line: number, reason: string, start: string): void;
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

/** Default longest record (header or data line, with its quoted line breaks) the reader holds: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** How much of a too-long record's raw text `rejected` gets: enough to recognise it, never the whole. */
export const REJECTED_START_CHARS = 1024;

/** The first REJECTED_START_CHARS characters of a record held as pieces. */
function startOf(pieces: readonly string[]): string {
  let start = '';
  for (const piece of pieces) {
    start += piece.slice(0, REJECTED_START_CHARS - start.length);
    if (start.length >= REJECTED_START_CHARS) break;
  }
  return start;
}

export interface CsvReadOptions {
  /**
   * Longest record in UTF-8 bytes (default DEFAULT_MAX_LINE_BYTES). A longer data record goes to
   * `handlers.rejected` (or fails the read with an InputError when there is no such handler) and
   * reading resumes at the next line break; a longer header always fails the read.
   */
  maxLineBytes?: number;
  /** Filled in while reading: what the reader held and did (for tests and benchmarks). */
  probe?: CsvReaderProbe;
}

export interface CsvReaderProbe {
  /** Most characters held at once for unparsed text (one chunk plus an unfinished record). */
  peakBufferedChars: number;
  /** Times the pieces of a record that spanned chunks were joined for parsing. */
  joins: number;
}

/**
 * Quote and line-break counts of a piece of an unfinished record, and whether the record may end in
 * it: well-formed CSV ends a record at the first line break after an even number of quotes. With
 * `stopAtEnd` the scan stops there (the counts are then partial and unused).
 */
function scanPiece(
  text: string,
  quotesBefore: number,
  stopAtEnd: boolean,
): { endsRecord: boolean; quotes: number; breaks: number } {
  let quotes = 0;
  let breaks = 0;
  let endsRecord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quotes++;
    else if (c === 10) {
      if (((quotesBefore + quotes) & 1) === 0) {
        endsRecord = true;
        if (stopAtEnd) break;
      }
      breaks++;
    }
  }
  return { endsRecord, quotes, breaks };
}

/**
 * Streams an RFC 4180 CSV (comma-separated, double-quoted fields may hold commas, quotes and line
 * breaks; CRLF or LF; a UTF-8 BOM is skipped) through callbacks. Blank lines are skipped but counted
 * in line numbers. Time is linear in the input and memory is bounded by one chunk plus the longest
 * record allowed (`maxLineBytes`): a record that spans chunks is kept as a list of pieces, scanned
 * once each, and joined once when its end arrives (or dropped when it grows past the limit).
 */
export async function readCsv(
  input: string | Readable,
  handlers: CsvHandlers,
  options: CsvReadOptions = {},
): Promise<CsvStats> {
  const stream =
    typeof input === 'string' ? createReadStream(input, { highWaterMark: 1 << 20 }) : (input as Readable);
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const probe = options.probe;
  const decoder = new StringDecoder('utf8');
  const stats: CsvStats = { rows: 0, lines: 0, bytes: 0 };
  let headerSeen = false;
  let line = 1;
  /** An unfinished record: its pieces, their UTF-8 bytes, quotes and line breaks. */
  let tail: string[] = [];
  let tailBytes = 0;
  let tailChars = 0;
  let tailQuotes = 0;
  let tailBreaks = 0;
  /** Dropping the rest of a too-long record, up to the next line break. */
  let skipping = false;

  const tooLong = (startLine: number, bytes: number, start: string) => {
    const reason = `line is longer than the ${maxLine}-byte limit (CSV_MAX_LINE_BYTES; ${bytes} bytes or more)`;
    if (!headerSeen) throw new InputError(`CSV header ${reason}`, { line: startLine });
    stats.rows++;
    if (!handlers.rejected) throw new InputError(`CSV line ${startLine}: ${reason}`, { line: startLine });
    handlers.rejected(startLine, reason, start);
  };

  const emit = (fields: string[], startLine: number) => {
    if (!headerSeen) {
      headerSeen = true;
      handlers.header(fields.map((f) => f.trim()));
    } else {
      stats.rows++;
      handlers.row(fields, startLine);
    }
  };

  let commas = new Int32Array(64);
  /** A data row without quotes to handlers.line: its text and comma positions. */
  const emitLine = (record: string, startLine: number) => {
    let count = 0;
    for (let c = record.indexOf(','); c !== -1; c = record.indexOf(',', c + 1)) {
      if (count === commas.length) {
        const larger = new Int32Array(commas.length * 2);
        larger.set(commas);
        commas = larger;
      }
      commas[count++] = c;
    }
    stats.rows++;
    handlers.line!(record, commas, count, startLine);
  };

  /** Bytes of text[from, to) when they may pass the limit (a UTF-16 unit is 1 to 3 UTF-8 bytes). */
  const overLimit = (text: string, from: number, to: number) =>
    to - from > maxLine || ((to - from) * 3 > maxLine && Buffer.byteLength(text.slice(from, to)) > maxLine);

  /** Parses every complete record of `text`; returns the unparsed rest (the start of an unfinished record). */
  const consume = (text: string, final: boolean): string => {
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
        if (end > pos) {
          if (overLimit(text, pos, end))
            tooLong(
              line,
              Buffer.byteLength(text.slice(pos, end)),
              text.slice(pos, Math.min(end, pos + REJECTED_START_CHARS)),
            );
          else {
            const record = text.slice(pos, end);
            if (headerSeen && handlers.line) emitLine(record, line);
            else emit(record.split(','), line);
          }
        }
        line++;
        pos = lineEnd + 1;
        continue;
      }
      let record;
      try {
        record = parseQuotedRecord(text, pos, final);
      } catch (error) {
        if (error instanceof InputError)
          throw new InputError(error.message.replace('{line}', String(line)), { line });
        throw error;
      }
      if (!record) break;
      if (overLimit(text, pos, record.end))
        tooLong(
          line,
          Buffer.byteLength(text.slice(pos, record.end)),
          text.slice(pos, Math.min(record.end, pos + REJECTED_START_CHARS)),
        );
      else emit(record.fields, line);
      line += record.breaks;
      pos = record.end;
    }
    return pos === 0 ? text : text.slice(pos);
  };

  const hold = (piece: string, scan: { quotes: number; breaks: number }) => {
    tail.push(piece);
    tailChars += piece.length;
    tailBytes += Buffer.byteLength(piece);
    tailQuotes += scan.quotes;
    tailBreaks += scan.breaks;
  };

  /** Drops the unfinished record (too long): reports it and skips to the next line break. */
  const reject = () => {
    tooLong(line, tailBytes, startOf(tail));
    line += tailBreaks;
    tail = [];
    tailBytes = tailChars = tailQuotes = tailBreaks = 0;
    skipping = true;
  };

  const take = (text: string, final: boolean) => {
    if (skipping) {
      const nl = text.indexOf('\n');
      if (nl === -1) return;
      skipping = false;
      line++;
      text = text.slice(nl + 1);
    }
    const scan = tail.length > 0 && !final ? scanPiece(text, tailQuotes, true) : undefined;
    if (scan && !scan.endsRecord) {
      hold(text, scan);
      if (tailBytes > maxLine) reject();
      return;
    }
    if (tail.length > 0) {
      tail.push(text);
      text = tail.join('');
      tail = [];
      tailBytes = tailChars = tailQuotes = tailBreaks = 0;
      if (probe) probe.joins++;
    }
    if (probe) probe.peakBufferedChars = Math.max(probe.peakBufferedChars, text.length);
    const rest = consume(text, final);
    if (rest.length === 0 || final) return;
    hold(rest, scanPiece(rest, 0, false));
    if (tailBytes > maxLine) reject();
  };

  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    stats.bytes += bytes.length;
    handlers.bytes?.(bytes);
    let text = decoder.write(bytes);
    // A UTF-8 byte order mark (spreadsheet exports) precedes the header, quoted or not.
    if (stats.bytes === bytes.length && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    take(text, false);
    if (probe) probe.peakBufferedChars = Math.max(probe.peakBufferedChars, text.length + tailChars);
    await handlers.chunkDone?.(stats);
  }
  take(decoder.end(), true);
  if (skipping) line++;
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
