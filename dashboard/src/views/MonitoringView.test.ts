import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import type { DriftReport, Explanation } from '../api/types';
import PriceWaterfall from '../components/PriceWaterfall.vue';
import { mockApi, problem } from '../test/mockApi';
import { myKey } from '../test/fixtures';
import { mountApp, until } from '../test/mount';

const me = myKey(['models:read']);

function feature(name: string, psi: number | null): DriftReport['features'][number] {
  return {
    feature: name,
    kind: 'number',
    psi,
    missingShare: 0,
    unseenShare: null,
    outOfRangeShare: 0.02,
    bins: [{ label: '≤ 1', expected: 0.5, actual: 0.4 }],
  };
}

const report = (hours: number): DriftReport => ({
  model: { name: 'housets-xgboost', version: 3 },
  profiled: true,
  from: '2026-12-06T11:00:00.000Z',
  to: '2026-12-07T11:00:00.000Z',
  bucketSeconds: 3600,
  rows: hours === 24 ? 1500 : 9000,
  thresholds: { moderate: 0.1, significant: 0.25 },
  features: [feature('median_list_price', 0.31), feature('median_dom', 0.12), feature('homes_sold', 0.02)],
  price: { psi: 0.05, bins: [{ label: '≤ 300,000', expected: 0.5, actual: 0.55 }] },
  series: [
    {
      start: '2026-12-07T09:00:00.000Z',
      rows: 500,
      features: [
        { feature: 'median_list_price', psi: 0.2 },
        { feature: 'median_dom', psi: 0.1 },
      ],
      pricePsi: 0.04,
    },
    {
      start: '2026-12-07T10:00:00.000Z',
      rows: 1000,
      features: [
        { feature: 'median_list_price', psi: 0.4 },
        { feature: 'median_dom', psi: 0.13 },
      ],
      pricePsi: 0.06,
    },
  ],
});

describe('Monitoring view', () => {
  it('shows the most drifted input first, each band in words, volume, and keeps the window in the URL', async () => {
    const api = mockApi({
      'GET /v1/monitoring/drift': (req: Request) =>
        report(Number(new URL(req.url).searchParams.get('hours'))),
    });
    const { wrapper, router } = await mountApp('/monitoring', me);
    await until(() => wrapper.find('[data-testid="drift-table"]').exists());
    expect(wrapper.get('[data-testid="drift-rows"]').text()).toBe('1,500');
    expect(wrapper.get('[data-testid="drift-worst"]').text()).toBe('Median list price');
    const rows = wrapper.findAll('[data-testid="drift-table"] tbody tr').map((r) => r.text());
    expect(rows[0]).toContain('significant shift');
    expect(rows[1]).toContain('moderate shift');
    expect(rows[2]).toContain('stable');
    expect(wrapper.findAll('polyline')).toHaveLength(3);
    expect(wrapper.findAll('.bars .bar-row')).toHaveLength(2);

    await wrapper.get('#drift-window').setValue('168');
    await until(() => wrapper.get('[data-testid="drift-rows"]').text() === '9,000');
    expect(router.currentRoute.value.query.hours).toBe('168');
    expect(new URL(api.calls('GET /v1/monitoring/drift').at(-1)!.url).searchParams.get('hours')).toBe('168');
  });

  it('says when the served package cannot be monitored, and shows a refusal in words', async () => {
    mockApi({ 'GET /v1/monitoring/drift': { ...report(24), profiled: false, features: [], series: [] } });
    const { wrapper } = await mountApp('/monitoring', me);
    await until(() => wrapper.text().includes('trained before drift profiles'));

    mockApi({ 'GET /v1/monitoring/drift': () => problem(404, 'no version is in production') });
    const again = await mountApp('/monitoring', me);
    await until(() => again.wrapper.text().includes('no version is in production'));
  });
});

describe('PriceWaterfall', () => {
  it('starts at the base price, moves by each column and ends at the price', () => {
    const explanation: Explanation = {
      space: 'log1p',
      bias: 12.6,
      basePrice: 300_000,
      price: 412_000,
      columns: [
        {
          source: 'median_list_price',
          columns: ['median_list_price'],
          contribution: 0.3,
          priceContribution: 120_000,
        },
        { source: 'median_dom', columns: ['median_dom'], contribution: -0.02, priceContribution: -9_000 },
      ],
      rest: { columns: 3, contribution: 0.002, priceContribution: 1_000 },
    };
    const wrapper = mount(PriceWaterfall, { props: { explanation } });
    const rows = wrapper.findAll('[data-testid="waterfall-row"]');
    expect(rows.map((r) => r.find('.waterfall-label').text())).toEqual([
      'Base price',
      'Median list price',
      'Median dom',
      '3 other columns',
      'Price',
    ]);
    expect(rows.map((r) => r.find('.waterfall-value').text())).toEqual([
      '$300,000',
      '+$120,000',
      '−$9,000',
      '+$1,000',
      '$412,000',
    ]);
    expect(rows[1]!.classes()).toContain('up');
    expect(rows[2]!.classes()).toContain('down');
    // the down bar starts where the running total stood after the up bar
    const style = (i: number) => rows[i]!.find('.waterfall-bar').attributes('style')!;
    const left = (i: number) => Number(/left: ([\d.]+)%/.exec(style(i))![1]);
    const width = (i: number) => Number(/width: ([\d.]+)%/.exec(style(i))![1]);
    expect(left(2) + width(2)).toBeCloseTo(left(1) + width(1), 1);
  });
});
