import { PassThrough } from 'node:stream';
import { progressEvent, trialRecords, writeProgressEvent } from './progress-json';
import type { CleaningSummary } from '../dataset/prepare';

const summary: CleaningSummary = {
  rowsRead: 120,
  rowsKept: 110,
  dropped: { duplicate: 10 },
  repaired: {},
  missing: { beds: 3 },
  invalid: {},
  outliers: {},
  normalized: {},
  ignoredColumns: [],
  splits: { train: 80, eval: 20, holdout: 10 },
};

describe('ml train --progress-json events', () => {
  it('turns load, prepared and trainer trial events into lines with the best score so far', () => {
    expect(progressEvent({ stage: 'load', rows: 50, bytes: 1000 })).toEqual({ event: 'load', rowsRead: 50, bytes: 1000 });
    expect(progressEvent({ stage: 'prepared', summary })).toEqual({
      event: 'prepared',
      rowsRead: 120,
      rowsKept: 110,
      splits: { train: 80, eval: 20, holdout: 10 },
      cleaning: summary,
    });
    expect(
      progressEvent({
        stage: 'trainer',
        event: { event: 'trial', number: 3, of: 10, metric: 'mae', score: 12.5, best_score: 11, seed: 43 },
      }),
    ).toEqual({ event: 'trial', n: 3, of: 10, seed: 43, metric: 'mae', score: 12.5, best: 11 });
    // The trainer's older trial event (eval RMSE) reads the same way.
    expect(
      progressEvent({ stage: 'trainer', event: { event: 'trial', number: 1, of: 2, rmse: 5, best_rmse: 5, seconds: 1 } }),
    ).toEqual({ event: 'trial', n: 1, of: 2, metric: 'rmse', score: 5, best: 5 });
    // A failed trial has no score: null, never NaN (which JSON cannot carry).
    expect(
      progressEvent({ stage: 'trainer', event: { event: 'trial', number: 2, of: 2, metric: 'rmse', score: Number.NaN, best_score: 5 } }),
    ).toMatchObject({ score: null, best: 5 });
    expect(progressEvent({ stage: 'trainer', event: { event: 'stage', stage: 'refit' } })).toEqual({ event: 'stage', stage: 'refit' });
    expect(progressEvent({ stage: 'trainer', event: { event: 'done', metrics: {} } })).toBeUndefined();
  });

  it('reads the trials of evaluation.json as [{n, params, score}] and skips what is not a trial', () => {
    expect(
      trialRecords([
        { number: 1, params: { max_depth: 4 }, eval_rmse: 10, cv_score: 9.5, seconds: 1, state: 'COMPLETE' },
        { number: 2, params: { max_depth: 6 }, eval_rmse: null, seconds: 1, state: 'PRUNED', seed: 43 },
        'junk',
        { params: {} },
      ]),
    ).toEqual([
      { n: 1, params: { max_depth: 4 }, score: 9.5 },
      { n: 2, seed: 43, params: { max_depth: 6 }, score: null },
    ]);
    expect(trialRecords(undefined)).toEqual([]);
  });

  it('writes one complete JSON object per line', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    writeProgressEvent(out, { event: 'features', rows: 1, of: 2 });
    writeProgressEvent(out, undefined);
    writeProgressEvent(out, { event: 'package', dir: '/tmp/p' });
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l))).toEqual([
      { event: 'features', rows: 1, of: 2 },
      { event: 'package', dir: '/tmp/p' },
    ]);
  });
});
