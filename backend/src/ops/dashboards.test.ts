import { MetricsService } from '../metrics/metrics.service';
import { PLANNED_METRIC } from '../metrics/metric-names';
import { staleDashboards } from './dashboards.cli';
import { DASHBOARDS, renderDashboard } from './dashboards';
import { baseMetricName, metricNamesIn } from './promql';

const registered = new Set(new MetricsService().registry.getMetricsAsArray().map((m) => m.name));
const planned: string[] = Object.values(PLANNED_METRIC);

describe('Grafana dashboards (docker/grafana/dashboards, generated from dashboards.ts)', () => {
  const targets = DASHBOARDS.flatMap((d) =>
    d.panels.flatMap((p) => p.targets.map((t) => ({ panel: `${d.uid}/${p.title}`, query: t.query }))),
  );

  it('have the four dashboards with unique uids and panels', () => {
    expect(DASHBOARDS.map((d) => d.uid)).toEqual([
      'housing-service-health',
      'housing-model-serving',
      'housing-batch',
      'housing-training',
    ]);
    expect(targets.length).toBeGreaterThan(15);
  });

  it('every query reads only metrics the backend registers (or a planned one), through typed references', () => {
    for (const { panel, query } of targets) {
      const names = metricNamesIn(query.expr);
      expect({ panel, names: names.sort() }).toEqual({
        panel,
        names: [...new Set(query.metrics.map((m) => m.name + m.suffix))].sort(),
      });
      const unknown = names.map(baseMetricName).filter((n) => !registered.has(n) && !planned.includes(n));
      expect({ panel, unknown }).toEqual({ panel, unknown: [] });
    }
  });

  it('the committed JSON is what the generator writes (npm run dashboards -w backend)', () => {
    expect(staleDashboards()).toEqual([]);
  });

  it('panels use the provisioned data source and a refId per target', () => {
    const json = renderDashboard(DASHBOARDS[0]!) as {
      panels: Array<{ datasource: unknown; targets: Array<{ refId: string }> }>;
    };
    expect(json.panels[0]!.datasource).toEqual({ type: 'prometheus', uid: 'housing-prometheus' });
    expect(json.panels[1]!.targets.map((t) => t.refId)).toEqual(['A', 'B', 'C']);
  });
});
