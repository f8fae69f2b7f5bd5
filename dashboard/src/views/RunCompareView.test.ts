import { describe, expect, it } from 'vitest';
import type { Comparison } from '../api/types';
import { mockApi, problem } from '../test/mockApi';
import { RUN_ID, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';

const OTHER_ID = '1a2b3c4d-0000-4000-8000-000000000002';

function comparison(allParams = false): Comparison {
  return {
    items: [
      {
        kind: 'run',
        label: 'run 0d6f1c2a',
        runId: RUN_ID,
        status: 'completed',
        model: { name: 'm', version: 1, href: '' },
        specName: 'housets',
        tuningMetric: 'rmse',
        createdAt: '2026-12-07T05:00:00.000Z',
      },
      {
        kind: 'run',
        label: 'run 1a2b3c4d',
        runId: OTHER_ID,
        status: 'completed',
        model: { name: 'm', version: 2, href: '' },
        specName: 'housets',
        tuningMetric: 'rmse',
        createdAt: '2026-12-07T05:10:00.000Z',
      },
    ],
    metrics: [
      {
        key: 'holdout.r2',
        better: 'higher',
        values: [0.9, 0.85],
        deltas: [0, -0.05],
        relativeDeltas: [0, -0.0556],
      },
      {
        key: 'holdout.rmse',
        better: 'lower',
        values: [30000, 27000],
        deltas: [0, -3000],
        relativeDeltas: [0, -0.1],
      },
    ],
    params: [
      { key: 'max_depth', values: [6, 8], differs: true },
      ...(allParams ? [{ key: 'eta', values: [0.1, 0.1], differs: false }] : []),
    ],
    errorByMonth: [
      { month: '2022-01', values: [{ n: 40, mae: 20000, rmse: 25000, mape: 8.5 }, null] },
      {
        month: '2022-02',
        values: [
          { n: 38, mae: 21000, rmse: 26000, mape: 9 },
          { n: 38, mae: 19000, rmse: 24000, mape: 7.25 },
        ],
      },
    ],
    errorByRegion: [{ region: 'Atlanta', values: [{ n: 78, mae: 20500, rmse: 25500, mape: 8.7 }, null] }],
    tuning: [
      {
        trials: [
          { n: 0, score: 33000, best: 33000 },
          { n: 1, score: 31000, best: 31000 },
        ],
      },
      { trials: [{ n: 0, score: 29000, best: 29000 }] },
    ],
  };
}

describe('compare view', () => {
  it('shows metrics with deltas against the first (better green, worse red), differing params, error by month and region, tuning overlaid', async () => {
    const api = mockApi({
      'GET /v1/training-runs/compare': (request: Request) =>
        comparison(new URL(request.url).searchParams.get('allParams') === 'true'),
    });
    const { wrapper } = await mountApp(`/runs/compare?ids=${RUN_ID},${OTHER_ID}`, myKey(['train']));
    await until(() => wrapper.find('[data-testid="compare-metrics"]').exists());
    expect(new URL(api.calls('GET /v1/training-runs/compare')[0]!.url).searchParams.get('ids')).toBe(
      `${RUN_ID},${OTHER_ID}`,
    );

    const metricRows = wrapper.findAll('[data-testid="compare-metrics"] tbody tr');
    expect(metricRows[1]!.text()).toMatch(/holdout\.rmse\s*30,000\s*27,000\s*−3,000 \(−10\.0 %\)/);
    expect(metricRows[1]!.find('.tone-better').exists()).toBe(true);
    expect(metricRows[0]!.find('.tone-worse').text()).toBe('−0.05 (−5.6 %)');
    expect(wrapper.get('[data-testid="compare-metrics"] thead a').attributes('href')).toBe(`/runs/${RUN_ID}`);

    expect(wrapper.findAll('[data-testid="compare-params"] tbody tr')).toHaveLength(1);
    await wrapper.get('input[type="checkbox"]').setValue(true);
    await until(() => wrapper.findAll('[data-testid="compare-params"] tbody tr').length === 2);

    const errors = () => wrapper.get('[data-testid="compare-errors"]').text();
    expect(errors()).toMatch(/2022-01\s*25,000\s*n 40\s*—/);
    await wrapper.get('#compare-error-metric').setValue('mape');
    expect(errors()).toMatch(/2022-02\s*9\.0 %\s*n 38\s*7\.3 %/);
    await wrapper.get('input[name="error-by"][value="region"]').setValue(true);
    expect(errors()).toContain('Atlanta');
    expect(errors()).not.toContain('2022-01');

    expect(wrapper.findAll('.tuning-chart .best-line')).toHaveLength(2);
    expect(wrapper.findAll('.tuning-chart .trial-dot')).toHaveLength(3);
    expect(wrapper.get('.tuning-chart figcaption').text()).toContain('run 1a2b3c4d');
  });

  it('compares versions of a model through the models endpoint', async () => {
    const api = mockApi({ 'GET /v1/models/:name/compare': comparison() });
    const { wrapper } = await mountApp(
      '/runs/compare?model=housets-xgboost&versions=1,2',
      myKey(['train', 'models:read']),
    );
    await until(() => wrapper.find('[data-testid="compare-metrics"]').exists());
    const call = new URL(api.calls('GET /v1/models/:name/compare')[0]!.url);
    expect(call.pathname).toBe('/v1/models/housets-xgboost/compare');
    expect(call.searchParams.get('versions')).toBe('1,2');
    expect(wrapper.get('h1').text()).toBe('Compare housets-xgboost versions');
  });

  it('says which runs are unknown', async () => {
    mockApi({ 'GET /v1/training-runs/compare': () => problem(404, `no training run ${OTHER_ID}`) });
    const { wrapper } = await mountApp(`/runs/compare?ids=${RUN_ID},${OTHER_ID}`, myKey(['train']));
    await until(() => wrapper.find('.state-error').exists());
    expect(wrapper.get('.state-error').text()).toContain(`no training run ${OTHER_ID}`);
  });
});
