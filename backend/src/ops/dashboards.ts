import { METRIC } from '../metrics/metric-names';
import { metric as m, promql, type PromQuery } from './promql';

/**
 * The Grafana dashboards, as code: every query takes its metric names from metric-names.ts (through
 * promql``), so a renamed metric fails the type-check; dashboards.test.ts checks each name is registered
 * and that the committed JSON (docker/grafana/dashboards/, written by `npm run dashboards -w backend`)
 * is what this file generates; the ops e2e test runs every query against a real Prometheus.
 */

/** The data source docker/grafana/provisioning/datasources/prometheus.yml provisions. */
export const DATASOURCE = { type: 'prometheus', uid: 'housing-prometheus' } as const;

export type Unit = 'reqps' | 's' | 'percentunit' | 'short' | 'bytes' | 'ops' | 'none';

export interface Target {
  readonly query: PromQuery;
  readonly legend: string;
}

export interface Panel {
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly targets: readonly Target[];
  /** A query that may return no series in a healthy system (no 5xx, no drift metric yet). */
  readonly mayBeEmpty?: boolean;
  readonly kind?: 'timeseries' | 'stat';
}

export interface Dashboard {
  readonly uid: string;
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly Panel[];
}

const RATE = '$__rate_interval';
const API = 'job="api"';
const t = (query: PromQuery, legend: string): Target => ({ query, legend });

const quantileByRoute = (q: number): Target =>
  t(
    promql`histogram_quantile(${q}, sum by (le, route) (rate(${m(METRIC.httpDuration, '_bucket')}{${API}}[${RATE}])))`,
    `p${Math.round(q * 100)} {{route}}`,
  );

const serviceHealth: Dashboard = {
  uid: 'housing-service-health',
  file: 'service-health.json',
  title: 'Housing: service health',
  description: 'Request rate, latency percentiles by route, errors and saturation of the API and workers.',
  panels: [
    {
      title: 'Requests per second by route',
      description: 'Every HTTP request, by route template.',
      unit: 'reqps',
      targets: [
        t(promql`sum by (route) (rate(${m(METRIC.httpDuration, '_count')}{${API}}[${RATE}]))`, '{{route}}'),
      ],
    },
    {
      title: 'Latency p50 / p90 / p99 by route',
      description: 'From the request-duration histogram (target: p99 under 100 ms on /v1/predictions).',
      unit: 's',
      targets: [quantileByRoute(0.5), quantileByRoute(0.9), quantileByRoute(0.99)],
    },
    {
      title: 'Error ratio (5xx and 4xx)',
      description:
        'Share of requests answered with a 5xx (the ApiHigh5xxRate alert fires above 5 %) and with a 4xx.',
      unit: 'percentunit',
      targets: [
        t(
          promql`sum(rate(${m(METRIC.httpDuration, '_count')}{${API},status=~"5.."}[${RATE}])) / sum(rate(${m(METRIC.httpDuration, '_count')}{${API}}[${RATE}])) or vector(0)`,
          '5xx',
        ),
        t(
          promql`sum(rate(${m(METRIC.httpDuration, '_count')}{${API},status=~"4.."}[${RATE}])) / sum(rate(${m(METRIC.httpDuration, '_count')}{${API}}[${RATE}])) or vector(0)`,
          '4xx',
        ),
      ],
    },
    {
      title: 'Errors per second by route and status',
      description: 'Requests answered with 4xx or 5xx.',
      unit: 'reqps',
      mayBeEmpty: true,
      targets: [
        t(
          promql`sum by (route, status) (rate(${m(METRIC.httpDuration, '_count')}{${API},status=~"[45].."}[${RATE}]))`,
          '{{status}} {{route}}',
        ),
      ],
    },
    {
      title: 'Readiness checks per API process',
      description:
        'Each check of /health/ready (database, redis, queue, model): 1 passing, 0 failing (ApiNotReady and ApiNotReadyNoModel fire on a 0).',
      unit: 'none',
      targets: [t(promql`min by (instance, check) (${m(METRIC.healthReady)})`, '{{instance}} {{check}}')],
    },
    {
      title: 'CPU per process',
      description:
        'Cores used by each API and worker process (saturation: 1 core per process is the ceiling of its event loop).',
      unit: 'short',
      targets: [t(promql`rate(${m(METRIC.cpuSeconds)}[${RATE}])`, '{{job}} {{instance}}')],
    },
    {
      title: 'Resident memory per process',
      description: 'RSS of each API and worker process.',
      unit: 'bytes',
      targets: [t(promql`${m(METRIC.residentMemory)}`, '{{job}} {{instance}}')],
    },
    {
      title: 'Event-loop lag p99',
      description:
        'Time callbacks wait for the event loop: it grows before latency does when a process saturates.',
      unit: 's',
      targets: [t(promql`${m(METRIC.eventLoopLagP99)}`, '{{job}} {{instance}}')],
    },
    {
      title: 'Artifact store disk free',
      description:
        'Free share of the file system of a file:// artifact store (ArtifactStoreDiskLow fires under 10 %).',
      unit: 'percentunit',
      targets: [
        t(promql`${m(METRIC.artifactStoreFree)} / ${m(METRIC.artifactStoreSize)}`, '{{job}} {{instance}}'),
      ],
    },
  ],
};

const modelServing: Dashboard = {
  uid: 'housing-model-serving',
  file: 'model-serving.json',
  title: 'Housing: model serving',
  description:
    'Predictions by model version and channel, validation failures, the serving version, and drift.',
  panels: [
    {
      title: 'Predictions per second by model version',
      description: 'Records priced, by model, version and channel (online, bulk, batch).',
      unit: 'ops',
      targets: [
        t(
          promql`sum by (model, version, channel) (rate(${m(METRIC.predictions)}[${RATE}]))`,
          '{{model}} v{{version}} {{channel}}',
        ),
      ],
    },
    {
      title: 'Validation failures per second',
      description: 'Records refused by input validation, by route (bad or missing fields).',
      unit: 'ops',
      targets: [t(promql`sum by (route) (rate(${m(METRIC.validationFailures)}[${RATE}]))`, '{{route}}')],
    },
    {
      title: 'Serving model version per API process',
      description:
        'The version each API process has loaded (no series: the process serves no model, /health/ready is 503).',
      unit: 'none',
      kind: 'stat',
      targets: [
        t(
          promql`max by (instance, model, version) (${m(METRIC.modelLoaded)})`,
          '{{instance}}: {{model}} v{{version}}',
        ),
      ],
    },
    {
      title: 'Model load failures',
      description:
        'Failed attempts to load the production version (the reason is in /health/ready and the log).',
      unit: 'short',
      targets: [t(promql`sum(increase(${m(METRIC.modelLoadFailures)}[${RATE}]))`, 'failures')],
    },
    {
      title: 'Input drift (PSI) by feature',
      description:
        'Planned metric (exported by the monitoring issue): population stability index per feature; the FeatureDriftAboveThreshold alert fires above 0.25.',
      unit: 'none',
      mayBeEmpty: true,
      targets: [t(promql`max by (feature) (${m(METRIC.featureDriftPsi)})`, '{{feature}}')],
    },
  ],
};

const batch: Dashboard = {
  uid: 'housing-batch',
  file: 'batch.json',
  title: 'Housing: batch jobs',
  description: 'The batch queue, job durations and outcomes, rows scored and rejected, stalled jobs.',
  panels: [
    {
      title: 'Queue depth by state',
      description: 'Jobs in the batch queue (the same number from every process: max).',
      unit: 'short',
      targets: [
        t(
          promql`max by (state) (${m(METRIC.queueJobs)}{state=~"waiting|active|delayed|failed"})`,
          '{{state}}',
        ),
      ],
    },
    {
      title: 'Job attempts per minute by outcome',
      description: 'completed, failed, cancelled, skipped (already done), requeued (shutdown or lost lock).',
      unit: 'short',
      targets: [t(promql`sum by (outcome) (rate(${m(METRIC.batchJobs)}[${RATE}])) * 60`, '{{outcome}}')],
    },
    {
      title: 'Job duration p50 / p95 by kind',
      description: 'Time a worker spends on one attempt.',
      unit: 's',
      targets: [
        t(
          promql`histogram_quantile(0.5, sum by (le, kind) (rate(${m(METRIC.batchJobDuration, '_bucket')}[${RATE}])))`,
          'p50 {{kind}}',
        ),
        t(
          promql`histogram_quantile(0.95, sum by (le, kind) (rate(${m(METRIC.batchJobDuration, '_bucket')}[${RATE}])))`,
          'p95 {{kind}}',
        ),
      ],
      mayBeEmpty: true,
    },
    {
      title: 'Rows per second (scored, rejected)',
      description: 'Rows of completed jobs, counted when each job completes.',
      unit: 'ops',
      targets: [t(promql`sum by (result) (rate(${m(METRIC.batchRows)}[${RATE}]))`, '{{result}}')],
    },
    {
      title: 'Stalled jobs',
      description: 'Jobs whose worker stopped renewing the lock, requeued (WorkerStalled alert).',
      unit: 'short',
      targets: [t(promql`sum(increase(${m(METRIC.batchJobsStalled)}[${RATE}]))`, 'stalled')],
    },
  ],
};

const training: Dashboard = {
  uid: 'housing-training',
  file: 'training.json',
  title: 'Housing: training runs',
  description: 'The training queue, training-run attempts by outcome and their durations.',
  panels: [
    {
      title: 'Training queue by state',
      description:
        'Runs in the training queue (the same number from every process: max); the TrainingQueueBacklog alert fires when runs wait and no attempt ends.',
      unit: 'short',
      targets: [
        t(
          promql`max by (state) (${m(METRIC.trainingQueueJobs)}{state=~"waiting|active|delayed|failed"})`,
          '{{state}}',
        ),
      ],
    },
    {
      title: 'Training attempts per hour by outcome',
      description:
        'completed, failed (for good: TrainingRunsFailing alert), retrying (failed, attempts remain), cancelled, requeued (shutdown or lost lock), skipped.',
      unit: 'short',
      targets: [t(promql`sum by (outcome) (rate(${m(METRIC.trainingRuns)}[${RATE}])) * 3600`, '{{outcome}}')],
    },
    {
      title: 'Training attempt duration p50 / p95 by outcome',
      description: 'Time a training worker spends on one attempt: input, trainer, registration.',
      unit: 's',
      targets: [
        t(
          promql`histogram_quantile(0.5, sum by (le, outcome) (rate(${m(METRIC.trainingRunDuration, '_bucket')}[${RATE}])))`,
          'p50 {{outcome}}',
        ),
        t(
          promql`histogram_quantile(0.95, sum by (le, outcome) (rate(${m(METRIC.trainingRunDuration, '_bucket')}[${RATE}])))`,
          'p95 {{outcome}}',
        ),
      ],
      mayBeEmpty: true,
    },
  ],
};

export const DASHBOARDS: readonly Dashboard[] = [serviceHealth, modelServing, batch, training];

/** Grafana's dashboard JSON (schema 39) for `d`: panels two to a row. */
export function renderDashboard(d: Dashboard): Record<string, unknown> {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['housing'],
    editable: false,
    schemaVersion: 39,
    time: { from: 'now-6h', to: 'now' },
    refresh: '30s',
    timezone: 'utc',
    templating: { list: [] },
    annotations: { list: [] },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: p.kind ?? 'timeseries',
      title: p.title,
      description: p.description,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      options:
        p.kind === 'stat'
          ? { reduceOptions: { calcs: ['lastNotNull'], values: false }, textMode: 'name' }
          : { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: p.targets.map((target, k) => ({
        refId: String.fromCharCode(65 + k),
        datasource: DATASOURCE,
        expr: target.query.expr,
        legendFormat: target.legend,
      })),
    })),
  };
}

/** The committed file's text: stable key order, 2-space indent, final newline. */
export function dashboardFileText(d: Dashboard): string {
  return `${JSON.stringify(renderDashboard(d), null, 2)}\n`;
}
