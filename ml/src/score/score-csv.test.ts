import { Writable } from 'node:stream';
import { ERROR_ROW_CHARS, errorRowCell, scoreCsv, type FeaturePredictor } from './score-csv';
import { spreadsheetSafeField } from './spreadsheet-safe';
import { samplePackage } from '../test-support/package';
import { parseCsvText, singleChunkReadable, chunkedReadable } from '../test-support/streams';

/** A predictor for the logic around the model (the real ONNX path is tested in train.e2e.test.ts). */
const constant: FeaturePredictor = {
  predict: async (_f, rows) => new Float64Array(rows).fill(Math.log(250000)),
};

function sink(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _e, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString() };
}

describe('spreadsheetSafeField', () => {
  it.each([
    ["=cmd|' /C calc'!A0", `"'=cmd|' /C calc'!A0"`],
    ['+SUM(1,2)', `"'+SUM(1,2)"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['\rx', `"'\rx"`],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
  ])('neutralises %j as %s', (raw, expected) => {
    expect(spreadsheetSafeField(raw)).toBe(expected);
  });

  it.each(['-5', '+3.2', '-1e5', '-.5', '12', 'Austin', 'a=b', ''])(
    'keeps %j as written (plain numbers and text)',
    (raw) => {
      expect(spreadsheetSafeField(raw)).toBe(raw);
    },
  );

  it('still quotes separators like csvField', () => {
    expect(spreadsheetSafeField('a,b')).toBe('"a,b"');
    expect(spreadsheetSafeField(-5)).toBe('-5');
  });
});

describe('scoreCsv', () => {
  const { manifest } = samplePackage();

  it('writes formula-like cells of the result and errors files as text, keeping plain numbers', async () => {
    const input = [
      'median_income,=note,median_house_value',
      '3.5,"=cmd|\' /C calc\'!A0",-5',
      '2.5,@SUM(A1),+3.2',
      'abc,"-2+3",1',
      '',
    ].join('\n');
    const out = sink();
    const errors = sink();
    const result = await scoreCsv(manifest, constant, singleChunkReadable(input), out.stream, errors.stream);
    expect(result).toMatchObject({ rowsRead: 3, rowsScored: 2, rowsFailed: 1 });
    const scored = await parseCsvText(out.text());
    expect(scored.header).toEqual([
      'median_income',
      "'=note",
      'median_house_value',
      'predicted_price',
      'actual_price',
      'warnings',
      'price_low',
      'price_high',
    ]);
    // the sample package has no interval calibration: the range columns are empty
    expect(scored.rows.map((r) => r.fields.slice(-2))).toEqual([
      ['', ''],
      ['', ''],
    ]);
    expect(scored.rows.map((r) => r.fields.slice(0, 3))).toEqual([
      ['3.5', "'=cmd|' /C calc'!A0", '-5'],
      ['2.5', "'@SUM(A1)", '+3.2'],
    ]);
    // The row is written back as CSV: its fields, quoted only where needed.
    expect(errors.text()).toBe(
      'line,reason,row\n4,"median_income must be a number, got ""abc""","abc,-2+3,1"\n',
    );
    // A rejected row that starts like a formula is text in a spreadsheet too; parsing its cell gives the row.
    const formula = sink();
    await scoreCsv(
      manifest,
      constant,
      singleChunkReadable('median_income,median_house_value\n=1+1,2\n'),
      null,
      formula.stream,
    );
    const rejected = await parseCsvText(formula.text());
    expect(rejected.header).toEqual(['line', 'reason', 'row']);
    expect(rejected.rows[0]!.fields).toEqual(['2', 'median_income must be a number, got "=1+1"', "'=1+1,2"]);
  });

  it('writes each price with its calibrated range: the bin of the model output, in price terms', async () => {
    const calibrated = {
      ...manifest,
      target: { ...manifest.target, transform: 'log' as const },
      intervals: {
        method: 'split-conformal' as const,
        space: 'transformed' as const,
        calibration: 'eval',
        level: 0.9,
        bins: [
          { upper: Math.log1p(300_000), halfWidth: 0.1, rows: 100 },
          { upper: null, halfWidth: 0.2, rows: 100 },
        ],
        calibrationRows: 200,
        holdout: { rows: 0, coverage: null, meanWidth: null, medianWidth: null, meanRelativeWidth: null },
      },
    };
    const prices = [250_000, 400_000];
    const byRow: FeaturePredictor = { predict: async (_f, rows) => Float64Array.from(prices.slice(0, rows)) };
    const input = 'median_income,note,median_house_value\n3.5,a,1\n2.5,b,2\n';
    const out = sink();
    await scoreCsv(calibrated, byRow, singleChunkReadable(input), out.stream, null);
    const scored = await parseCsvText(out.text());
    const range = (row: number) => scored.rows[row]!.fields.slice(-2).map(Number);
    const cents = (v: number) => Math.round(v * 100) / 100;
    expect(range(0)).toEqual([
      cents(Math.expm1(Math.log1p(250_000) - 0.1)),
      cents(Math.expm1(Math.log1p(250_000) + 0.1)),
    ]);
    // the dearer house falls in the wider bin
    expect(range(1)).toEqual([
      cents(Math.expm1(Math.log1p(400_000) - 0.2)),
      cents(Math.expm1(Math.log1p(400_000) + 0.2)),
    ]);
  });

  it('adds each row’s top contributions in price terms when asked, after the interval', async () => {
    const explainer = {
      explain: (record: Readonly<Record<string, unknown>>) => ({
        space: 'log1p' as const,
        bias: 12,
        margin: 12.2,
        basePrice: 160_000,
        price: 200_000,
        features: [],
        columns: [
          {
            source: 'median_income',
            columns: ['median_income'],
            features: [],
            contribution: 0.15,
            priceContribution: Number(record.median_income) * 10_000,
          },
          {
            source: 'note',
            columns: ['note'],
            features: [],
            contribution: -0.05,
            priceContribution: -1234.567,
          },
          { source: 'other', columns: ['other'], features: [], contribution: 0.001, priceContribution: 50 },
        ],
      }),
    };
    const input = 'median_income,note,median_house_value\n3.5,a,1\n';
    const out = sink();
    await scoreCsv(manifest, constant, singleChunkReadable(input), out.stream, null, {
      explain: { top: 2, explainer },
    });
    const scored = await parseCsvText(out.text());
    expect(scored.header.slice(-3)).toEqual(['price_low', 'price_high', 'explanation']);
    expect(scored.rows[0]!.fields.at(-1)).toBe('median_income +35000.00; note -1234.57');
    // top 0 is no column at all
    const none = sink();
    await scoreCsv(manifest, constant, singleChunkReadable(input), none.stream, null, {
      explain: { top: 0, explainer },
    });
    expect((await parseCsvText(none.text())).header.at(-1)).toBe('price_high');
  });

  it('writes the header and every rejected row to the errors stream before onChunk sees the counts', async () => {
    const lines = ['median_income,median_house_value'];
    for (let i = 0; i < 300; i++) lines.push(i % 3 === 0 ? 'bad,1' : `${i},1`);
    const errors = sink();
    const stop = new Error('stop after the first chunk');
    let seen: { rowsRead: number; rowsFailed: number } | undefined;
    await expect(
      scoreCsv(
        manifest,
        constant,
        chunkedReadable(lines.join('\n') + '\n', 5, 1500, 1500),
        null,
        errors.stream,
        {
          chunkRows: 10_000,
          onChunk: (p) => {
            seen = p;
            throw stop;
          },
        },
      ),
    ).rejects.toBe(stop);
    const written = await parseCsvText(errors.text());
    expect(written.header).toEqual(['line', 'reason', 'row']);
    expect(seen!.rowsFailed).toBeGreaterThan(0);
    // Every row rejected so far is in the stream, with its line.
    expect(written.rows).toHaveLength(seen!.rowsFailed);
    expect(written.rows[0]!.fields).toEqual(['2', expect.stringMatching(/^median_income /), 'bad,1']);
  });

  it('rejects a row longer than maxLineBytes into the errors file and scores the rows after it', async () => {
    const input = `median_income,median_house_value\n1,1\n${'9'.repeat(5000)},1\n2,1\n`;
    const errors = sink();
    const result = await scoreCsv(manifest, constant, singleChunkReadable(input), null, errors.stream, {
      maxLineBytes: 1024,
    });
    expect(result).toMatchObject({ rowsRead: 3, rowsScored: 2, rowsFailed: 1 });
    // The row cell holds the start of the row, cut at ERROR_ROW_CHARS and marked as partial.
    expect(errors.text()).toBe(
      'line,reason,row\n3,line is longer than the 1024-byte limit (CSV_MAX_LINE_BYTES; 5002 bytes or more),' +
        `${'9'.repeat(ERROR_ROW_CHARS)}…\n`,
    );
  });

  it('cuts a long rejected row at ERROR_ROW_CHARS, never inside a surrogate pair', () => {
    const long = 'x'.repeat(ERROR_ROW_CHARS + 200);
    expect(errorRowCell(long)).toBe(`${'x'.repeat(ERROR_ROW_CHARS)}… (200 more characters)`);
    const emoji = `${'x'.repeat(ERROR_ROW_CHARS - 1)}😀tail`;
    expect(errorRowCell(emoji)).toBe(`${'x'.repeat(ERROR_ROW_CHARS - 1)}… (6 more characters)`);
    expect(errorRowCell('short')).toBe('short');
    expect(errorRowCell('short', true)).toBe('short…');
    expect(errorRowCell(long, true)).toBe(`${'x'.repeat(ERROR_ROW_CHARS)}…`);
    // Cut or not, the row is one CSV cell, neutralised against formulas.
    expect(errorRowCell(`-${'1,'.repeat(600)}`)).toMatch(/^"'-1,1,/);
  });
});
