import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PreparedDataset } from '../dataset/prepare';
import { EVAL, HOLDOUT, TRAIN } from '../dataset/split';
import { readNpy } from '../npy';
import { loadSpec } from '../spec/load';
import { datasetSpecSchema } from '../spec/schema';
import { trainingOptions } from '../cli/main';
import { selectionConfig, writeTimeKeys } from './selection';

const housets = loadSpec('housets');
const california = loadSpec(path.join(__dirname, '..', '..', 'specs', 'california-blocks.json'));

describe('selectionConfig', () => {
  it('uses expanding time windows for a time split and k-fold for a random split', () => {
    expect(selectionConfig(housets, {})).toEqual({
      metric: null,
      seeds: 1,
      interval_level: 0.9,
      cv: { kind: 'time', folds: 4 },
    });
    expect(selectionConfig(california, {})).toEqual({
      metric: null,
      seeds: 1,
      interval_level: 0.9,
      cv: { kind: 'kfold', folds: 5 },
    });
  });

  it('takes the metric and folds from the spec, the CLI metric winning', () => {
    const spec = { ...housets, training: { metric: 'mae' as const, folds: 3 } };
    expect(selectionConfig(spec, {})).toEqual({
      metric: 'mae',
      seeds: 1,
      interval_level: 0.9,
      cv: { kind: 'time', folds: 3 },
    });
    expect(selectionConfig(spec, { metric: 'mape', seeds: 3 })).toEqual({
      metric: 'mape',
      seeds: 3,
      interval_level: 0.9,
      cv: { kind: 'time', folds: 3 },
    });
    // the interval level: the CLI's, else the spec's, else 0.9
    const level = { ...housets, training: { intervalLevel: 0.8 } };
    expect(selectionConfig(level, {}).interval_level).toBe(0.8);
    expect(selectionConfig(level, { intervalLevel: 0.95 }).interval_level).toBe(0.95);
  });

  it('validates the training block of a spec', () => {
    const parse = (training: unknown) => datasetSpecSchema.safeParse({ ...housets, training });
    expect(parse({ metric: 'rmsle', folds: 6 }).success).toBe(true);
    expect(parse({ metric: 'r2' }).success).toBe(false);
    expect(parse({ folds: 1 }).success).toBe(false);
    expect(parse({ seeds: 3 }).success).toBe(false); // strict: seeds are a CLI choice
    expect(parse({ intervalLevel: 0.9 }).success).toBe(true);
    expect(parse({ intervalLevel: 1 }).success).toBe(false);
  });
});

describe('writeTimeKeys', () => {
  it('writes the split date of each train and eval row in matrix order, nothing for the holdout', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-tkeys-'));
    try {
      const data = {
        spec: housets,
        rows: 6,
        split: Uint8Array.from([TRAIN, EVAL, HOLDOUT, TRAIN, EVAL, TRAIN]),
        dates: { date: Int32Array.from([10, 400, 900, 5, 420, 30]) },
      } as unknown as PreparedDataset;
      writeTimeKeys(data, dir);
      expect([...readNpy(path.join(dir, 't_train.npy')).data]).toEqual([10, 5, 30]);
      expect([...readNpy(path.join(dir, 't_eval.npy')).data]).toEqual([400, 420]);
      writeTimeKeys({ ...data, spec: california } as PreparedDataset, path.join(dir, 'none'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('train --metric / --seeds', () => {
  it('accepts the four metrics and 1 to 20 seeds, refusing anything else with the option named', () => {
    expect(trainingOptions({})).toEqual({});
    expect(trainingOptions({ metric: 'mape', seeds: '3' })).toEqual({ metric: 'mape', seeds: 3 });
    expect(() => trainingOptions({ metric: 'r2' })).toThrow(/--metric must be one of rmse, mae, mape, rmsle/);
    expect(() => trainingOptions({ seeds: '0' })).toThrow(/--seeds must be an integer from 1 to 20/);
    expect(() => trainingOptions({ seeds: '2.5' })).toThrow(/--seeds must be a non-negative integer/);
  });

  it('accepts an interval level from 0.5 to 0.99', () => {
    expect(trainingOptions({ 'interval-level': '0.8' })).toEqual({ intervalLevel: 0.8 });
    for (const bad of ['1', '0.3', 'ninety', ''])
      expect(() => trainingOptions({ 'interval-level': bad })).toThrow(
        /--interval-level must be a number from 0.5 to 0.99/,
      );
  });
});
