import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { MetricsService } from '../metrics/metrics.service';
import { METRIC, PLANNED_METRIC } from '../metrics/metric-names';
import { baseMetricName, metricNamesIn } from './promql';

/**
 * docker/prometheus/alerts.yml: promtool's syntax check and its unit tests (alerts.test.yml, synthetic
 * series), plus the rules' own contract: a runbook and a severity on each, and only registered metrics.
 * promtool comes with Debian's `prometheus` package (scripts/install-deps.sh installs it).
 */
const DIR = path.resolve(__dirname, '..', '..', '..', 'docker', 'prometheus');
const ALERTS = path.join(DIR, 'alerts.yml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; runbook: string };
}
const rules = (parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap(
  (g) => g.rules,
);
const promtool = (args: string[], cwd = DIR) =>
  execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('alert rules', () => {
  it('cover what the issue lists', () => {
    expect(rules.map((r) => r.alert)).toEqual([
      'ApiDown',
      'ApiHigh5xxRate',
      'ApiLatencyP99AboveTarget',
      'ApiNotReadyNoModel',
      'ApiNotReady',
      'WorkerDown',
      'BatchQueueBacklogGrowing',
      'BatchJobsFailing',
      'WorkerStalled',
      'FeatureDriftAboveThreshold',
      'ArtifactStoreDiskLow',
      // Last: Prometheus lists rule groups by name, and the ops e2e test compares its list with this file's order.
      'TrainingWorkerDown',
      'TrainingRunsFailing',
      'TrainingQueueBacklog',
    ]);
  });

  it('each has a severity (page or warn), a summary and a runbook', () => {
    for (const r of rules) {
      expect({ alert: r.alert, severity: r.labels.severity }).toEqual({
        alert: r.alert,
        severity: expect.stringMatching(/^(page|warn)$/),
      });
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.runbook.length).toBeGreaterThan(40);
    }
  });

  it('use only metrics the backend registers (the drift metric included)', () => {
    const registered = new Set(new MetricsService().registry.getMetricsAsArray().map((m) => m.name));
    const planned: string[] = Object.values(PLANNED_METRIC);
    for (const r of rules) {
      const unknown = metricNamesIn(r.expr)
        .map(baseMetricName)
        .filter((n) => n !== 'up' && !registered.has(n) && !planned.includes(n));
      expect({ alert: r.alert, unknown }).toEqual({ alert: r.alert, unknown: [] });
    }
    expect(rules.filter((r) => r.expr.includes(METRIC.featureDriftPsi)).map((r) => r.alert)).toEqual([
      'FeatureDriftAboveThreshold',
    ]);
  });

  it('pass promtool check rules', () => {
    expect(promtool(['check', 'rules', 'alerts.yml'])).toContain('SUCCESS: 14 rules found');
  });

  it('pass their unit tests on synthetic series (promtool test rules alerts.test.yml)', () => {
    expect(promtool(['test', 'rules', 'alerts.test.yml'])).toContain('SUCCESS');
  });

  it('a broken expectation fails promtool (the unit tests can fail)', () => {
    const broken = readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8').replace(
      "summary: 'Batch queue backlog is 90 jobs and still growing'",
      "summary: 'Batch queue backlog is 91 jobs and still growing'",
    );
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
    try {
      copyFileSync(ALERTS, path.join(tmp, 'alerts.yml'));
      writeFileSync(path.join(tmp, 'alerts.test.yml'), broken);
      expect(() => promtool(['test', 'rules', 'alerts.test.yml'], tmp)).toThrow(/FAILED/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
