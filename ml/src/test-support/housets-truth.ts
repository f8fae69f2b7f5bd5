import { Readable } from 'node:stream';
import {
  generateHouseTsLines,
  HOUSETS_COLUMNS,
  type GenerateOptions,
  type GenerateSummary,
} from '../generate';
import { parseCsv } from './streams';

/** One data line of a generated dirty file, classified by comparing it with the same seed's clean line. */
export interface DirtyLine {
  /** 1-based line number in the dirty file. */
  line: number;
  fields: string[];
  clean: string[];
  /** The line repeats the previous one (an injected duplicate). */
  duplicate: boolean;
  /** price was scaled out of the plausible range. */
  outlier: boolean;
  /** date was replaced by an unparsable one. */
  badDate: boolean;
  /** city_full differs from the canonical metro name. */
  citySpelling: boolean;
  /** Columns whose value was emptied. */
  emptied: string[];
  /** Columns whose value was rewritten with stray characters. */
  stray: string[];
}

export interface DirtTruth {
  header: string[];
  lines: DirtyLine[];
  summary: GenerateSummary;
}

const parseLines = async (lines: Iterable<string>) => parseCsv(Readable.from([[...lines].join('\n') + '\n']));

/**
 * Ground truth for a generated dirty HouseTS file: a dirty file is the clean file of the same seed plus
 * injected dirt, and a duplicate is an exact repeat of the line before it, so aligning the two files says
 * which dirt every line carries without trusting the code under test.
 */
export async function dirtTruth(options: GenerateOptions): Promise<DirtTruth> {
  const dirtyGen = generateHouseTsLines({ ...options, dirty: true });
  const dirty = await parseLines(dirtyGen.lines);
  const clean = await parseLines(generateHouseTsLines({ ...options, dirty: false }).lines);
  const col = Object.fromEntries(HOUSETS_COLUMNS.map((c, i) => [c, i])) as Record<string, number>;
  const lines: DirtyLine[] = [];
  let k = -1;
  let previous: string[] | undefined;
  for (const row of dirty.rows) {
    const duplicate = previous !== undefined && row.fields.join('\u0001') === previous.join('\u0001');
    if (!duplicate) k++;
    const cleanFields = clean.rows[k]!.fields;
    const changed = (name: string) => row.fields[col[name]!] !== cleanFields[col[name]!];
    const emptied: string[] = [];
    const stray: string[] = [];
    for (const name of HOUSETS_COLUMNS) {
      if (['date', 'price', 'city_full'].includes(name) || !changed(name)) continue;
      (row.fields[col[name]!] === '' ? emptied : stray).push(name);
    }
    lines.push({
      line: row.line,
      fields: row.fields,
      clean: cleanFields,
      duplicate,
      outlier: changed('price'),
      badDate: changed('date'),
      citySpelling: changed('city_full'),
      emptied,
      stray,
    });
    previous = row.fields;
  }
  if (k + 1 !== clean.rows.length)
    throw new Error(`aligned ${k + 1} dirty rows with ${clean.rows.length} clean rows`);
  return { header: dirty.header, lines, summary: dirtyGen.summary };
}
