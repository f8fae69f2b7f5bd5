/**
 * The platform's central promise: the matrices the trainer learns from are exactly what serving computes
 * from the same raw rows (no train/serve skew). Checked without the Python trainer.
 */
import * as path from 'node:path';
import { mkdirSync } from 'node:fs';
import { parityRecords, writeFeatureMatrices } from './train';
import { prepareDataset, type PreparedDataset } from '../dataset/prepare';
import { HOLDOUT, SPLIT_NAMES } from '../dataset/split';
import { fitFeatures } from '../features/fit';
import { transform } from '../features/transform';
import type { FeatureSet } from '../features/types';
import { readNpy } from '../npy';
import { loadSpec, validateSpec } from '../spec/load';
import type { DatasetSpec } from '../spec/schema';
import { writeHouseTsCsv } from '../generate';
import { parseCsv } from '../test-support/streams';
import { useTempDir, writeTempFile } from '../test-support/tmp';

/** Float32 values compared bit for bit (NaN equal to NaN). */
const same = (a: number, b: number) =>
  Object.is(Math.fround(a), Math.fround(b)) || (Number.isNaN(a) && Number.isNaN(b));

interface Mismatch {
  line: number;
  feature: string;
  training: number;
  serving: number;
}

/**
 * Writes the matrices, then compares every row with the serving transform of the raw CSV row it came from.
 * Returns the differing cells.
 */
async function skew(
  data: PreparedDataset,
  features: FeatureSet,
  csvFile: string,
  dir: string,
): Promise<Mismatch[]> {
  mkdirSync(dir, { recursive: true });
  writeFeatureMatrices(data, features, dir);
  const raw = await parseCsv(csvFile);
  const byLine = new Map(
    raw.rows.map((r) => [r.line, Object.fromEntries(raw.header.map((name, k) => [name, r.fields[k]]))]),
  );
  const width = features.names.length;
  const mismatches: Mismatch[] = [];
  SPLIT_NAMES.forEach((name, split) => {
    const x = readNpy(path.join(dir, `X_${name}.npy`));
    const y = readNpy(path.join(dir, `y_${name}.npy`));
    const rows: number[] = [];
    for (let i = 0; i < data.rows; i++) if (data.split[i] === split) rows.push(i);
    expect(x.shape).toEqual([rows.length, width]);
    expect(y.shape).toEqual([rows.length]);
    rows.forEach((i, r) => {
      expect(y.data[r]).toBe(data.target[i]);
      const serving = transform(byLine.get(data.lines[i]!)!, { features });
      for (let f = 0; f < width; f++) {
        const training = x.data[r * width + f]!;
        if (!same(training, serving[f]!)) {
          mismatches.push({
            line: data.lines[i]!,
            feature: features.names[f]!,
            training,
            serving: serving[f]!,
          });
        }
      }
    });
  });
  return mismatches;
}

describe('training matrices equal the serving transform of the raw rows', () => {
  const tmp = useTempDir('matrices-test-');

  describe('on the tiny dirty HouseTS sample (stray characters, city spellings, missing values)', () => {
    let file: string;
    let data: PreparedDataset;
    let features: FeatureSet;

    beforeAll(async () => {
      file = path.join(tmp(), 'tiny.csv');
      await writeHouseTsCsv(file, { size: 'tiny', dirty: true, seed: 5 });
      data = await prepareDataset(loadSpec('housets'), file);
      features = fitFeatures(data);
    });

    it('writes X and y per split that equal the serving transform of each raw row', async () => {
      expect(await skew(data, features, file, path.join(tmp(), 'housets'))).toEqual([]);
    });

    it('takes parity records that transform like the raw holdout rows they come from', async () => {
      const records = parityRecords(data, 25);
      expect(records).toHaveLength(25);
      const raw = await parseCsv(file);
      const holdoutLines: number[] = [];
      for (let i = 0; i < data.rows; i++) if (data.split[i] === HOLDOUT) holdoutLines.push(data.lines[i]!);
      const step = holdoutLines.length / 25;
      records.forEach((record, k) => {
        const line = holdoutLines[Math.floor(k * step)]!;
        const row = raw.rows.find((r) => r.line === line)!;
        const rawRecord = Object.fromEntries(raw.header.map((name, c) => [name, row.fields[c]]));
        expect([...transform(record, { features })]).toEqual([...transform(rawRecord, { features })]);
        expect(record).not.toHaveProperty('price');
      });
    });
  });

  describe('with renames', () => {
    const specWith = (renames: Record<string, string>) => ({
      name: 'renames',
      columns: [
        { name: 'price', role: 'target' },
        { name: 'x', role: 'numeric' },
        {
          name: 'metro',
          role: 'categorical',
          encoding: 'target',
          smoothing: 1,
          normalize: { case: 'title', renames },
        },
      ],
      split: { kind: 'random', seed: 4, evalFraction: 0.2, holdoutFraction: 0.2 },
    });

    it('rejects renames that would make normalisation change a value twice, naming the entry', () => {
      // Chained (old -> middle -> today) and a target not in normalised form: training stores normalised
      // values and serving normalises raw text, so both would encode the same metro differently.
      expect(() =>
        validateSpec(
          specWith({
            'Phoenix-Mesa-Scottsdale': 'Phoenix-Mesa-Glendale',
            'Phoenix-Mesa-Glendale': 'Phoenix-Mesa-Chandler',
            Nyc: 'NYC Metro',
          }),
        ),
      ).toThrow(
        /renames\["Phoenix-Mesa-Scottsdale"\]: "Phoenix-Mesa-Glendale" is itself renamed[\s\S]*renames\["Nyc"\]: "NYC Metro" is not in normalised form \("Nyc Metro"\)/,
      );
    });

    it('encodes every row for training as serving encodes its raw text', async () => {
      const spec: DatasetSpec = validateSpec(
        specWith({
          'Phoenix-Mesa-Scottsdale': 'Phoenix-Mesa-Chandler',
          'Phoenix-Mesa-Glendale': 'Phoenix-Mesa-Chandler',
          Nyc: 'Nyc Metro',
        }),
      );
      const metros = [
        'phoenix-mesa-scottsdale',
        'Phoenix-Mesa-Glendale',
        'Phoenix-Mesa-Chandler',
        'nyc',
        'Boston',
      ];
      const rows = Array.from(
        { length: 200 },
        (_, i) => `${1000 + 37 * (i % 5) + (i % 7)},${i % 11},${metros[i % 5]}`,
      );
      const file = writeTempFile(tmp(), ['price,x,metro', ...rows].join('\n') + '\n', 'renames.csv');
      const data = await prepareDataset(spec, file);
      const features = fitFeatures(data);
      const mismatches = await skew(data, features, file, path.join(tmp(), 'renames'));
      // The raw spellings whose rows are encoded differently for training than for serving.
      const skewed = [...new Set(mismatches.map((m) => `${metros[(m.line - 2) % 5]} (${m.feature})`))].sort();
      expect(skewed).toEqual([]);
      expect(Object.keys(data.categories.metro!.values).length).toBeGreaterThan(0);
      expect([...data.categories.metro!.values].sort()).toEqual([
        'Boston',
        'Nyc Metro',
        'Phoenix-Mesa-Chandler',
      ]);
    });
  });
});
