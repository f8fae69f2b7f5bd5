import { describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { BatchEvaluation } from '../api/types';
import { mockApi } from '../test/mockApi';
import { evaluation, modelVersion, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';

const metric = (w: VueWrapper, id: string) => w.get(`[data-testid="metric-${id}"]`).text();

async function openExplore(batchRuns: BatchEvaluation[] = []) {
  const api = mockApi({
    'GET /v1/models': [modelVersion(2, 'none'), modelVersion(1, 'production')],
    'GET /v1/models/:name/versions/:version/evaluation': evaluation,
    'GET /v1/batch-evaluations': { items: batchRuns, total: batchRuns.length, limit: 20, offset: 0 },
  });
  const { wrapper } = await mountApp('/explore', myKey(['admin']));
  await until(() => wrapper.find('[data-testid="metric-n"]').exists());
  return { api, wrapper };
}

describe('explore', () => {
  it("opens the production version's holdout with metrics over every row", async () => {
    const { api, wrapper } = await openExplore();
    const [request] = api.calls('GET /v1/models/:name/versions/:version/evaluation');
    expect(new URL(request!.url).pathname).toBe('/v1/models/housets-xgboost/versions/1/evaluation');
    expect(metric(wrapper, 'n')).toBe('5');
    expect(metric(wrapper, 'mae')).toBe('$12,000');
    expect(metric(wrapper, 'rmse')).toBe('$15,492');
    expect(metric(wrapper, 'mape')).toBe('4.80 %');
    expect(wrapper.findAll('circle.dot')).toHaveLength(3);
  });

  it('computes the metrics, scatter and trend highlight of the selected year, month and region', async () => {
    const { wrapper } = await openExplore();
    await wrapper.get('#explore-year').setValue('2022');
    await wrapper.get('#explore-month').setValue('01');
    expect(metric(wrapper, 'n')).toBe('3');
    expect(metric(wrapper, 'mae')).toBe('$16,667');
    expect(metric(wrapper, 'rmse')).toBe('$19,149');
    expect(metric(wrapper, 'mape')).toBe('6.67 %');
    expect(wrapper.findAll('circle.dot')).toHaveLength(2);
    expect(wrapper.findAll('rect.band')).toHaveLength(1);

    await wrapper.get('#explore-region').setValue('Dallas');
    expect(metric(wrapper, 'n')).toBe('1');
    expect(metric(wrapper, 'mae')).toBe('$30,000');
    expect(metric(wrapper, 'mape')).toBe('10.00 %');

    await wrapper.get('#explore-year').setValue('2023');
    expect(wrapper.text()).toContain('No rows match this filter.');
  });

  it('offers monthly batch runs with actual prices as a source', async () => {
    const m = {
      n: 4,
      mae: 1000,
      rmse: 1500,
      mape: 2,
      meanPctError: 0.5,
      meanActual: 300000,
      meanPredicted: 301000,
    };
    const run: BatchEvaluation = {
      id: 'b0000000-0000-4000-8000-000000000001',
      status: 'completed',
      source: 'api',
      inputUri: 'file:///data/housets.csv',
      model: { name: 'housets-xgboost', version: 1 },
      rowsRead: 4,
      rowsDone: 4,
      rowsFailed: 0,
      attempts: 1,
      error: null,
      createdAt: '2026-11-23T03:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      files: [],
      errorsUri: null,
      summary: {
        dateColumn: 'date',
        regionColumn: 'city_full',
        overall: m,
        byMonth: [{ month: '2024-01', ...m }],
        byRegion: [{ region: 'Austin', ...m }],
      },
    };
    const { wrapper } = await openExplore([run]);
    const source = wrapper.get('#explore-source');
    expect(source.findAll('optgroup')).toHaveLength(2);
    await source.setValue(`batch:${run.id}`);
    await until(() => metric(wrapper, 'mae') === '$1,000');
    expect(metric(wrapper, 'n')).toBe('4');
    expect(wrapper.text()).toContain('Monthly batch run');
    expect(wrapper.text()).toContain('A batch summary has no sampled rows');
  });
});
