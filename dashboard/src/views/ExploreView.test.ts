import { describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import type { BatchEvaluation } from '../api/types';
import { mockApi } from '../test/mockApi';
import { evaluation, modelVersion, myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';

const metric = (w: VueWrapper, id: string) => w.get(`[data-testid="metric-${id}"]`).text();

async function openExplore(batchRuns: BatchEvaluation[] = [], path = '/explore') {
  const api = mockApi({
    'GET /v1/models': [modelVersion(2, 'none'), modelVersion(1, 'production')],
    'GET /v1/models/:name/versions/:version/evaluation': evaluation,
    'GET /v1/batch-evaluations': { items: batchRuns, total: batchRuns.length, limit: 20, offset: 0 },
  });
  const { wrapper, router } = await mountApp(path, myKey(['admin']));
  await until(() => wrapper.find('[data-testid="metric-n"]').exists());
  return { api, wrapper, router };
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

  it('keeps the filter in the URL and restores it from there', async () => {
    const { wrapper, router } = await openExplore();
    await wrapper.get('#explore-year').setValue('2022');
    await wrapper.get('#explore-region').setValue('Dallas');
    await until(() => router.currentRoute.value.query.region === 'Dallas');
    expect(router.currentRoute.value.query).toEqual({ year: '2022', region: 'Dallas' });
    wrapper.unmount();

    const again = await openExplore([], '/explore?year=2022&month=01&by=year');
    await until(() => metric(again.wrapper, 'n') === '3');
    expect((again.wrapper.get('#explore-month').element as HTMLSelectElement).value).toBe('01');
    expect(again.wrapper.get('input[value="year"]').element).toHaveProperty('checked', true);
  });

  it('says the scatter is a sample, compares regions and lists the rows of the selection', async () => {
    const { wrapper } = await openExplore();
    expect(wrapper.text()).toContain('a sample of 3 of 5 rows');
    const regions = wrapper.get('[data-testid="regions-table"]').findAll('tbody tr');
    // Worst % error first: Dallas (10 %) before Atlanta.
    expect(regions.map((r) => r.get('th').text())).toEqual(['Dallas', 'Atlanta']);
    const rows = wrapper.get('[data-testid="rows-table"]').findAll('tbody tr');
    expect(rows).toHaveLength(3);
    expect(rows[0]!.text()).toContain('Dallas');
    expect(rows[0]!.text()).toContain('-10.0 %');
    // Every value axis starts at zero.
    for (const svg of wrapper.findAll('figure.chart svg')) {
      const ticks = svg.findAll('g.grid text.tick').map((t) => t.text());
      expect(
        ticks.some((t) => t === '$0' || t === '0 %'),
        ticks.join(' '),
      ).toBe(true);
    }
    expect(wrapper.text()).toContain('Error over time: MAPE by month');
  });

  it('shows a tooltip for the point the keyboard is on', async () => {
    const { wrapper } = await openExplore();
    const trend = wrapper.get('svg[aria-label^="Average price by month"]');
    await trend.trigger('keydown', { key: 'ArrowRight' });
    const tip = wrapper.get('[role="tooltip"]');
    expect(tip.text()).toMatch(/^2022-01: average actual \$233,333, predicted \$230,000/);
    await trend.trigger('keydown', { key: 'End' });
    expect(wrapper.get('[role="tooltip"]').text()).toMatch(/^2023-01/);
    await trend.trigger('keydown', { key: 'Escape' });
    expect(wrapper.find('[role="tooltip"]').exists()).toBe(false);
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
      dataset: null,
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
    expect(wrapper.text()).toContain('A batch run keeps sums, not sampled rows');
  });
});
