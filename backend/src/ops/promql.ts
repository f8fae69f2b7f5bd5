import type { MetricName } from '../metrics/metric-names';
import { PLANNED_METRIC } from '../metrics/metric-names';

type PlannedMetric = (typeof PLANNED_METRIC)[keyof typeof PLANNED_METRIC];
/** A metric a query reads: a registered name (or a planned one), with a histogram series suffix. */
export interface MetricRef {
  readonly name: MetricName | PlannedMetric;
  readonly suffix: '' | '_bucket' | '_count' | '_sum';
}

export const metric = (name: MetricName | PlannedMetric, suffix: MetricRef['suffix'] = ''): MetricRef => ({
  name,
  suffix,
});

/** A PromQL expression and the metrics it reads (from the typed references, not from parsing). */
export interface PromQuery {
  readonly expr: string;
  readonly metrics: readonly MetricRef[];
}

/**
 * promql`sum(rate(${metric(METRIC.predictions)}[${window}]))`: metric names through typed references;
 * strings and numbers are spliced in as text (label matchers, windows, quantiles).
 */
export function promql(
  strings: TemplateStringsArray,
  ...parts: Array<MetricRef | string | number>
): PromQuery {
  let expr = strings[0]!;
  const metrics: MetricRef[] = [];
  parts.forEach((part, i) => {
    if (typeof part === 'object') {
      metrics.push(part);
      expr += part.name + part.suffix;
    } else expr += String(part);
    expr += strings[i + 1]!;
  });
  return { expr, metrics };
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects, read from the text (for rules written as YAML): identifiers
 * that are not functions (followed by `(`), keywords, label names (inside braces or grouping lists),
 * template variables ($__rate_interval) or parts of durations and strings.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names];
}

/** `x_bucket`, `x_count`, `x_sum` → `x` (the name a histogram is registered under). */
export function baseMetricName(series: string): string {
  return series.replace(/_(bucket|count|sum)$/, '');
}
