import { failedTrainingRun, trialSeries } from './training-run';

describe('trialSeries', () => {
  it('logs the CV objective, its best so far, the price RMSE and the seconds at step = trial number', () => {
    const series = trialSeries(
      [
        { number: 2, cv_score: 0.3, eval_rmse: 900, seconds: 2 },
        { number: 1, cv_score: 0.5, eval_rmse: 1000, seconds: 1 },
        { number: 3, cv_score: null, eval_rmse: null, seconds: 0.5 }, // a pruned or failed trial
        { number: 4, cv_score: 0.4, eval_rmse: 950, seconds: 3 },
      ],
      'rmsle',
    );
    expect(series).toEqual([
      {
        number: 1,
        metrics: { trial_cv_rmsle: 0.5, trial_best_cv_rmsle: 0.5, trial_rmse: 1000, trial_seconds: 1 },
      },
      {
        number: 2,
        metrics: { trial_cv_rmsle: 0.3, trial_best_cv_rmsle: 0.3, trial_rmse: 900, trial_seconds: 2 },
      },
      {
        number: 3,
        metrics: { trial_cv_rmsle: null, trial_best_cv_rmsle: 0.3, trial_rmse: null, trial_seconds: 0.5 },
      },
      {
        number: 4,
        metrics: { trial_cv_rmsle: 0.4, trial_best_cv_rmsle: 0.3, trial_rmse: 950, trial_seconds: 3 },
      },
    ]);
  });

  it('uses the eval RMSE as the objective when selection used no CV', () => {
    const series = trialSeries(
      [
        { number: 1, eval_rmse: 12, seconds: 1 },
        { number: 2, eval_rmse: 15, seconds: 1 },
      ],
      null,
    );
    expect(series.map((t) => t.metrics)).toEqual([
      { trial_eval_rmse: 12, trial_best_eval_rmse: 12, trial_seconds: 1 },
      { trial_eval_rmse: 15, trial_best_eval_rmse: 12, trial_seconds: 1 },
    ]);
  });
});

describe('failedTrainingRun', () => {
  it('records the options, the trials reached and the error, with no metrics and no package', () => {
    const run = failedTrainingRun({
      runName: 'housets-xgboost-v1',
      spec: 'housets',
      options: { trials: 5, fast: false },
      trials: [{ number: 1, cv_score: 0.2, eval_rmse: 10, seconds: 1 }],
      cvMetric: 'rmsle',
      error: new Error('trainer exited with code 1'),
      startTime: 1,
      endTime: 2,
      source: 'ml train',
    });
    expect(run).toMatchObject({
      status: 'FAILED',
      params: { spec: 'housets', 'train.trials': 5, 'train.fast': false },
      metrics: {},
      error: 'trainer exited with code 1',
    });
    expect(run.package).toBeUndefined();
    expect(run.trials).toHaveLength(1);
  });
});
