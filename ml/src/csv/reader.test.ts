import { Readable } from 'node:stream';
import { csvField, csvLine, readCsv, type CsvReaderProbe } from './reader';
import { InputError } from '../errors';
import {
  chunkedReadable,
  parseCsv,
  parseCsvText,
  singleChunkReadable,
  testRandom,
} from '../test-support/streams';
import { useTempDir, writeTempFile } from '../test-support/tmp';

const QUOTED = [
  'id,text,n',
  '1,"hello, world",2',
  '2,"say ""hi"" twice",3',
  '3,"multi',
  'line',
  'text",4',
  '4,plain,5',
  '5,"",6',
  '6,"a ""quoted,"" part",7',
  '',
].join('\n');

const QUOTED_ROWS = [
  { fields: ['1', 'hello, world', '2'], line: 2 },
  { fields: ['2', 'say "hi" twice', '3'], line: 3 },
  { fields: ['3', 'multi\nline\ntext', '4'], line: 4 },
  { fields: ['4', 'plain', '5'], line: 7 },
  { fields: ['5', '', '6'], line: 8 },
  { fields: ['6', 'a "quoted," part', '7'], line: 9 },
];

/** A file with every feature at once: BOM, CRLF, quotes, embedded line breaks, blank lines, multi-byte text. */
const MIXED =
  '\uFEFFdate , city,price\r\n' +
  '2020-01-31,"Dallas\u2013Fort Worth",250000\r\n' +
  '\r\n' +
  '2020-02-29,"S\u00e3o ""Paulo""\r\nSP",\u20ac300\r\n' +
  '2020-03-31,Z\u00fcrich \ud83c\udfe0,"1,234"\r\n' +
  '\n' +
  '2020-04-30,,\r\n' +
  '2020-05-31,"x",5';

describe('readCsv', () => {
  const tmp = useTempDir('csv-test-');

  it('reads plain rows with 1-based line numbers', async () => {
    const parsed = await parseCsvText('a,b,c\n1,2,3\n4,5,6\n');
    expect(parsed.header).toEqual(['a', 'b', 'c']);
    expect(parsed.rows).toEqual([
      { fields: ['1', '2', '3'], line: 2 },
      { fields: ['4', '5', '6'], line: 3 },
    ]);
    expect(parsed.stats).toEqual({ rows: 2, lines: 3, bytes: 18 });
  });

  it('reads quoted fields with commas, escaped quotes and line breaks, keeping later line numbers right', async () => {
    const parsed = await parseCsvText(QUOTED);
    expect(parsed.header).toEqual(['id', 'text', 'n']);
    expect(parsed.rows).toEqual(QUOTED_ROWS);
    expect(parsed.stats.rows).toBe(6);
    expect(parsed.stats.lines).toBe(9);
  });

  it('reads CRLF files like LF files, inside quotes too (line breaks in quoted fields are kept as written)', async () => {
    const parsed = await parseCsvText(QUOTED.replaceAll('\n', '\r\n'));
    expect(parsed.header).toEqual(['id', 'text', 'n']);
    expect(parsed.rows).toEqual(
      QUOTED_ROWS.map((row) => ({ ...row, fields: row.fields.map((f) => f.replaceAll('\n', '\r\n')) })),
    );
  });

  it('reads a CRLF row whose last field is quoted', async () => {
    const parsed = await parseCsvText('a,b\r\n1,"x,y"\r\n2,"z"\r\n');
    expect(parsed.rows).toEqual([
      { fields: ['1', 'x,y'], line: 2 },
      { fields: ['2', 'z'], line: 3 },
    ]);
  });

  it('skips a UTF-8 byte order mark and trims header names (not data fields)', async () => {
    const parsed = await parseCsvText('\uFEFF date , price \n 2020-01-01 , 5 \n');
    expect(parsed.header).toEqual(['date', 'price']);
    expect(parsed.rows).toEqual([{ fields: [' 2020-01-01 ', ' 5 '], line: 2 }]);
  });

  it('skips a byte order mark before a quoted first header field', async () => {
    const parsed = await parseCsvText('\uFEFF"date","price"\n2020-01-01,5\n');
    expect(parsed.header).toEqual(['date', 'price']);
  });

  it('skips blank lines but counts them in line numbers', async () => {
    const parsed = await parseCsvText('\na,b\n\n1,2\r\n\r\n\n3,4\n\n');
    expect(parsed.header).toEqual(['a', 'b']);
    expect(parsed.rows).toEqual([
      { fields: ['1', '2'], line: 4 },
      { fields: ['3', '4'], line: 7 },
    ]);
  });

  it('reads a last row without a line break, quoted or not', async () => {
    expect((await parseCsvText('a,b\n1,2')).rows).toEqual([{ fields: ['1', '2'], line: 2 }]);
    expect((await parseCsvText('a,b\n1,"2"')).rows).toEqual([{ fields: ['1', '2'], line: 2 }]);
    expect((await parseCsvText('a,b\n1,')).rows).toEqual([{ fields: ['1', ''], line: 2 }]);
    expect((await parseCsvText('a,b\n"1",')).rows).toEqual([{ fields: ['1', ''], line: 2 }]);
  });

  it('counts every line when the file has no final line break, also if its last row is a quoted field then an empty one', async () => {
    expect((await parseCsvText('a,b\n1,2')).stats.lines).toBe(2);
    expect((await parseCsvText('a,b\n1,"2"')).stats.lines).toBe(2);
    expect((await parseCsvText('a,b\n"1",')).stats.lines).toBe(2);
  });

  it('keeps a carriage return that is part of a quoted last field', async () => {
    const parsed = await parseCsvText('a,b\n1,"ends with CR\r"\n');
    expect(parsed.rows).toEqual([{ fields: ['1', 'ends with CR\r'], line: 2 }]);
  });

  it('passes rows with a different number of fields through as they are', async () => {
    const parsed = await parseCsvText('a,b,c\n1,2\n1,2,3,4\n');
    expect(parsed.rows.map((r) => r.fields)).toEqual([
      ['1', '2'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('parses a file fed in 1-7 byte pieces exactly like one big chunk', async () => {
    const whole = await parseCsv(singleChunkReadable(MIXED));
    expect(whole.header).toEqual(['date', 'city', 'price']);
    expect(whole.rows).toEqual([
      { fields: ['2020-01-31', 'Dallas\u2013Fort Worth', '250000'], line: 2 },
      { fields: ['2020-02-29', 'S\u00e3o "Paulo"\r\nSP', '\u20ac300'], line: 4 },
      { fields: ['2020-03-31', 'Z\u00fcrich \ud83c\udfe0', '1,234'], line: 6 },
      { fields: ['2020-04-30', '', ''], line: 8 },
      { fields: ['2020-05-31', 'x', '5'], line: 9 },
    ]);
    for (let seed = 1; seed <= 40; seed++) {
      const pieces = await parseCsv(chunkedReadable(MIXED, seed));
      expect(pieces).toEqual(whole);
    }
    // Single bytes too: every boundary, including inside "\r\n", '""' and multi-byte characters.
    expect(await parseCsv(chunkedReadable(MIXED, 1, 1, 1))).toEqual(whole);
    expect(await parseCsv(chunkedReadable(QUOTED, 3, 1, 1))).toEqual(await parseCsvText(QUOTED));
  });

  it('reads a file from disk like the same text from a stream, and sees every byte', async () => {
    const file = writeTempFile(tmp(), MIXED);
    const seen: Buffer[] = [];
    let header: string[] = [];
    const rows: string[][] = [];
    const stats = await readCsv(file, {
      header: (columns) => (header = columns),
      row: (fields) => rows.push(fields),
      bytes: (chunk) => seen.push(chunk),
    });
    const fromStream = await parseCsvText(MIXED);
    expect(header).toEqual(fromStream.header);
    expect(rows).toEqual(fromStream.rows.map((r) => r.fields));
    expect(Buffer.concat(seen).equals(Buffer.from(MIXED, 'utf8'))).toBe(true);
    expect(stats.bytes).toBe(Buffer.byteLength(MIXED, 'utf8'));
  });

  it('awaits chunkDone before reading on', async () => {
    const events: string[] = [];
    await readCsv(chunkedReadable('a\n1\n2\n3\n', 5, 2, 2), {
      header: () => events.push('header'),
      row: (fields) => events.push(`row ${fields[0]}`),
      chunkDone: async () => {
        events.push('chunk start');
        await new Promise((resolve) => setTimeout(resolve, 2));
        events.push('chunk end');
      },
    });
    // Every "chunk start" is immediately followed by its "chunk end": no row is read while chunkDone runs.
    events.forEach((event, i) => {
      if (event === 'chunk start') expect(events[i + 1]).toBe('chunk end');
    });
    expect(events.filter((e) => e.startsWith('row'))).toEqual(['row 1', 'row 2', 'row 3']);
  });

  it('rejects an unterminated quote with an InputError naming the line where the field starts', async () => {
    const text = 'a,b\n1,2\n3,"never\nclosed\n4,5\n';
    for (const input of [singleChunkReadable(text), chunkedReadable(text, 9)]) {
      const error = await parseCsv(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(/unterminated quoted field starting on line 3\b/);
      expect((error as InputError).details).toEqual({ line: 3 });
    }
  });

  it('rejects an empty file', async () => {
    await expect(parseCsvText('')).rejects.toThrow(InputError);
    await expect(parseCsvText('\n\n')).rejects.toThrow(/empty/);
  });
});

/** A stream of `text` in fixed pieces of `piece` bytes, built lazily (a 50 MiB line is never one string here). */
function piecesOf(parts: Array<string | { repeat: string; bytes: number }>, piece = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (const part of parts) {
        if (typeof part === 'string') {
          yield Buffer.from(part);
          continue;
        }
        const block = Buffer.from(part.repeat.repeat(Math.ceil(piece / part.repeat.length)).slice(0, piece));
        for (let sent = 0; sent < part.bytes; sent += piece)
          yield block.subarray(0, Math.min(piece, part.bytes - sent));
      }
    })(),
  );
}

async function readWithLimit(input: Readable, maxLineBytes?: number) {
  const rows: { fields: string[]; line: number }[] = [];
  const rejected: { line: number; reason: string }[] = [];
  const probe: CsvReaderProbe = { peakBufferedChars: 0, joins: 0 };
  const stats = await readCsv(
    input,
    {
      header: () => undefined,
      row: (fields, line) => rows.push({ fields, line }),
      rejected: (line, reason) => rejected.push({ line, reason }),
    },
    { maxLineBytes, probe },
  );
  return { rows, rejected, probe, stats };
}

describe('readCsv: long lines', () => {
  const MiB = 1 << 20;

  it('rejects a 50 MiB line with its line number and reason, holds at most the limit plus a chunk, and reads the rows after it', async () => {
    const input = piecesOf(['a,b\n1,2\n3,', { repeat: 'x', bytes: 50 * MiB }, '\n4,5\n"6,7",8\n']);
    const { rows, rejected, probe, stats } = await readWithLimit(input);
    expect(rejected).toEqual([
      {
        line: 3,
        reason: expect.stringMatching(/^line is longer than the 1048576-byte limit \(CSV_MAX_LINE_BYTES/),
      },
    ]);
    expect(rows).toEqual([
      { fields: ['1', '2'], line: 2 },
      { fields: ['4', '5'], line: 4 },
      { fields: ['6,7', '8'], line: 5 },
    ]);
    expect(stats.rows).toBe(4);
    expect(stats.lines).toBe(5);
    // Bounded memory: the default 1 MiB limit plus one 64 KiB piece, not 50 MiB.
    expect(probe.peakBufferedChars).toBeLessThanOrEqual(MiB + 2 * 64 * 1024);
  });

  it('rejects a too-long quoted record with line breaks inside and keeps later line numbers right', async () => {
    const input = piecesOf(['h\n"', { repeat: 'ab\ncd', bytes: 3000 }, '"\nnext\n'], 100);
    const { rows, rejected } = await readWithLimit(input, 1024);
    expect(rejected.map((r) => r.line)).toEqual([2]);
    // Reading resumes at the first line break after the limit was passed (inside the quoted field),
    // then every later line is counted: the final row sits on the file's last line.
    const lastLine =
      2 +
      (Buffer.from('"' + 'ab\ncd'.repeat(600).slice(0, 3000) + '"\n')
        .toString()
        .split('\n').length -
        1);
    expect(rows.at(-1)).toEqual({ fields: ['next'], line: lastLine });
  });

  it('rejects a long line that arrives within one chunk too', async () => {
    const { rows, rejected } = await readWithLimit(piecesOf([`h\n${'y'.repeat(5000)}\nok\n`], 1 << 20), 1024);
    expect(rejected.map((r) => r.line)).toEqual([2]);
    expect(rows).toEqual([{ fields: ['ok'], line: 3 }]);
  });

  it('counts the limit in UTF-8 bytes', async () => {
    // 400 three-byte characters: 400 UTF-16 units, 1,200 bytes.
    const { rows, rejected } = await readWithLimit(piecesOf([`h\n${'\u20ac'.repeat(400)}\nok\n`]), 1024);
    expect(rejected.map((r) => r.line)).toEqual([2]);
    expect(rows).toEqual([{ fields: ['ok'], line: 3 }]);
  });

  it('scans a long line once: its 20 MiB arrive in 320 pieces and are joined once', async () => {
    const input = piecesOf(['a,b\n1,', { repeat: 'z', bytes: 20 * MiB }, '\n2,3\n']);
    const { rows, rejected, probe } = await readWithLimit(input, 64 * MiB);
    expect(rejected).toEqual([]);
    expect(rows.map((r) => [r.fields[0], r.fields[1]!.length, r.line])).toEqual([
      ['1', 20 * MiB, 2],
      ['2', 1, 3],
    ]);
    expect(probe.joins).toBe(1);
  });

  it('fails the read for a too-long header, and for a too-long row without a rejected handler', async () => {
    await expect(
      readCsv(
        piecesOf([`${'h'.repeat(2000)}\n1\n`]),
        { header: () => undefined, row: () => undefined },
        { maxLineBytes: 1024 },
      ),
    ).rejects.toThrow(/CSV header line is longer than the 1024-byte limit/);
    await expect(
      readCsv(
        piecesOf([`h\n${'1'.repeat(2000)}\n`]),
        { header: () => undefined, row: () => undefined },
        { maxLineBytes: 1024 },
      ),
    ).rejects.toThrow(/CSV line 2: line is longer than the 1024-byte limit/);
  });
});

describe('csvField / csvLine', () => {
  it('leaves plain values alone and quotes separators, quotes and line breaks', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField(' padded ')).toBe(' padded ');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('')).toBe('');
  });

  it('writes numbers, and nothing for missing or non-finite values', () => {
    expect(csvField(1234.5)).toBe('1234.5');
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
    expect(csvLine(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"');
  });

  it('round-trips through readCsv', async () => {
    const random = testRandom(11);
    const alphabet = [
      'a',
      'Z',
      ' ',
      ',',
      '"',
      '\n',
      '\r\n',
      '\u00e9',
      '\u2013',
      '\ud83c\udfe0',
      '1',
      '$',
      '',
    ];
    const field = () => {
      let text = '';
      const length = Math.floor(random() * 6);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      return text;
    };
    const header = ['c1', 'c2', 'c3', 'c4'];
    const rows: string[][] = [];
    for (let r = 0; r < 300; r++) {
      const row = header.map(field);
      // A lone trailing "\r" in the last field is covered by its own test above.
      if (row[3]!.endsWith('\r')) row[3] += 'x';
      rows.push(row);
    }
    const text = [csvLine(header), ...rows.map((row) => csvLine(row))].join('\n') + '\n';
    const parsed = await parseCsvText(text);
    expect(parsed.header).toEqual(header);
    expect(parsed.rows.map((r) => r.fields)).toEqual(rows);
    expect(await parseCsv(chunkedReadable(text, 4))).toEqual(parsed);
  });
});

describe('readCsv with a line handler (rows read in place)', () => {
  it('gives unquoted rows as text and comma positions, quoted rows as fields, in order and with their lines', async () => {
    const text = ['a,b,c', '1,,3', '"x,y",2,3', '', 'p,q', ',,', '4,5,6\r', 'last,row,no-break'].join('\n');
    for (const seed of [1, 2, 3]) {
      const seen: { line: number; fields: string[]; via: string }[] = [];
      await readCsv(chunkedReadable(text, seed), {
        header: () => undefined,
        row: (fields, line) => seen.push({ line, fields, via: 'row' }),
        line: (row, commas, count, line) => {
          const fields: string[] = [];
          for (let k = 0, start = 0; k <= count; k++) {
            const end = k === count ? row.length : commas[k]!;
            fields.push(row.slice(start, end));
            start = end + 1;
          }
          // The same fields as a split of the text.
          expect(fields).toEqual(row.split(','));
          seen.push({ line, fields, via: 'line' });
        },
      });
      expect(seen).toEqual([
        { line: 2, fields: ['1', '', '3'], via: 'line' },
        { line: 3, fields: ['x,y', '2', '3'], via: 'row' },
        { line: 5, fields: ['p', 'q'], via: 'line' },
        { line: 6, fields: ['', '', ''], via: 'line' },
        { line: 7, fields: ['4', '5', '6'], via: 'line' },
        { line: 8, fields: ['last', 'row', 'no-break'], via: 'line' },
      ]);
    }
  });

  it('grows its comma buffer for a row of many fields', async () => {
    const wide = Array.from({ length: 500 }, (_, i) => String(i)).join(',');
    let count = -1;
    await readCsv(singleChunkReadable(`${wide}\n${wide}\n`), {
      header: () => undefined,
      row: () => undefined,
      line: (_row, _commas, n) => void (count = n),
    });
    expect(count).toBe(499);
  });
});
