import { METRIC } from '../metrics/metric-names';
import { baseMetricName, metric, metricNamesIn, promql } from './promql';

describe('metricNamesIn', () => {
  it.each([
    ['up{job="api"} == 0', ['up']],
    [
      'sum(rate(http_request_duration_seconds_count{job="api",status=~"5.."}[5m])) / sum(rate(http_request_duration_seconds_count[5m])) > 0.05',
      ['http_request_duration_seconds_count'],
    ],
    [
      'histogram_quantile(0.99, sum by (le, route) (rate(x_bucket{route=~"/v1/predictions.*"}[$__rate_interval])))',
      ['x_bucket'],
    ],
    [
      'up{job="api"} == 1 unless on (instance) model_loaded_info{job="api"} == 1',
      ['up', 'model_loaded_info'],
    ],
    [
      'deriv(max(batch_queue_jobs{state="waiting"})[15m:1m]) > 0 and on () a_total offset 5m',
      ['batch_queue_jobs', 'a_total'],
    ],
    ['a / b < 0.10 or vector(0) * 1e9', ['a', 'b']],
  ])('%s', (expr, names) => {
    expect(metricNamesIn(expr).sort()).toEqual([...names].sort());
  });
});

describe('promql``', () => {
  it('splices typed metric references and text, and records the references', () => {
    const q = promql`sum(rate(${metric(METRIC.httpDuration, '_count')}{job="api"}[${'5m'}])) * ${60}`;
    expect(q.expr).toBe('sum(rate(http_request_duration_seconds_count{job="api"}[5m])) * 60');
    expect(q.metrics).toEqual([{ name: 'http_request_duration_seconds', suffix: '_count' }]);
  });

  it('baseMetricName strips histogram suffixes only', () => {
    expect(baseMetricName('x_bucket')).toBe('x');
    expect(baseMetricName('x_count')).toBe('x');
    expect(baseMetricName('predictions_total')).toBe('predictions_total');
  });
});
