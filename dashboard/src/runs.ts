// Plain helpers of the Runs pages: what a run's progress, cleaning summary and metrics say in words.
import type { TrainingRun, TrainingRunStatus } from './api/types';
import { formatCount, formatNumber } from './format';

/** Every status (a Record over the generated type: none can be forgotten), for filters and labels. */
export const RUN_STATUSES: Record<TrainingRunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** At most this many runs or versions in one comparison (the API's limit). */
export const MAX_COMPARED = 10;

export const unfinished = (run: Pick<TrainingRun, 'status'>) =>
  run.status === 'queued' || run.status === 'running';

export const shortId = (id: string) => id.slice(0, 8);

/** "Trial 3 of 20 · rmse 12,345 · best 11,002", or the phase with rows read. */
export function progressText(run: Pick<TrainingRun, 'status' | 'progress'>): string {
  const p = run.progress;
  if (!p) return run.status === 'queued' ? 'Waiting for a training worker' : '—';
  if (p.trial) {
    const { n, of, metric, score, best } = p.trial;
    const parts = [`Trial ${n} of ${of}`];
    if (score !== null) parts.push(`${metric} ${formatNumber(score)}`);
    if (best !== null) parts.push(`best ${formatNumber(best)}`);
    return parts.join(' · ');
  }
  const rows = p.rowsRead !== undefined ? ` · ${formatCount(p.rowsRead)} rows read` : '';
  return `${phaseLabel(p.phase)}${rows}`;
}

const PHASES: Record<string, string> = {
  queued: 'Queued',
  load: 'Reading the CSV',
  prepared: 'Cleaned and split',
  features: 'Building features',
  baseline: 'Fitting the baseline',
  cv: 'Cross-validating',
  tuning: 'Tuning',
  trial: 'Tuning',
  refit: 'Refitting',
  export: 'Exporting ONNX',
  parity: 'Checking parity',
  package: 'Writing the package',
  registering: 'Registering the version',
  done: 'Done',
};

export const phaseLabel = (phase: string) => PHASES[phase] ?? phase;

/** One line of a cleaning summary: a count, or the non-zero counts of each column or reason. */
export interface CleaningLine {
  label: string;
  total: number | null;
  /** The largest entries first, at most 8 (the rest summed in `more`). */
  entries: { name: string; count: number }[];
  more: number;
  text?: string;
}

const CLEANING_LABELS: Record<string, string> = {
  rowsRead: 'Rows read',
  rowsKept: 'Rows kept',
  dropped: 'Rows dropped',
  repaired: 'Values repaired (stray characters)',
  missing: 'Missing values',
  sentinels: 'Sentinel values read as missing',
  invalid: 'Unreadable values',
  outliers: 'Values outside the bounds',
  normalized: 'Text values normalised',
  ignoredColumns: 'Columns not in the spec',
  splits: 'Rows per split',
  dateRange: 'Dates',
};

const MAX_ENTRIES = 8;

/** The cleaning summary as lines to show, in a stable order; empty groups are left out. */
export function cleaningLines(summary: Record<string, unknown> | undefined | null): CleaningLine[] {
  if (!summary) return [];
  const lines: CleaningLine[] = [];
  for (const [key, value] of Object.entries(summary)) {
    const label = CLEANING_LABELS[key] ?? key;
    if (typeof value === 'number') lines.push({ label, total: value, entries: [], more: 0 });
    else if (Array.isArray(value)) {
      if (value.length)
        lines.push({ label, total: value.length, entries: [], more: 0, text: value.join(', ') });
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.from === 'string' && typeof record.to === 'string') {
        lines.push({ label, total: null, entries: [], more: 0, text: `${record.from} to ${record.to}` });
        continue;
      }
      const all = Object.entries(record)
        .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] !== 0)
        .map(([name, count]) => ({ name, count }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
      if (!all.length) continue;
      const entries = all.slice(0, MAX_ENTRIES);
      const more = all.slice(MAX_ENTRIES).reduce((s, e) => s + e.count, 0);
      lines.push({ label, total: all.reduce((s, e) => s + e.count, 0), entries, more });
    }
  }
  return lines;
}

/** Nested metrics as `holdout.rmse` → value (finite numbers only), in key order. */
export function flatMetrics(
  metrics: Record<string, unknown> | null,
  prefix = '',
  depth = 0,
): [string, number][] {
  if (!metrics || depth > 2) return [];
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries(metrics)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'number' && Number.isFinite(value)) out.push([name, value]);
    else if (value && typeof value === 'object' && !Array.isArray(value))
      out.push(...flatMetrics(value as Record<string, unknown>, name, depth + 1));
  }
  return out.sort(([a], [b]) => a.localeCompare(b));
}

/** A parameter value in a table: numbers rounded to 4 significant digits, objects as JSON. */
export function paramText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number')
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A metric value: prices as whole grouped numbers, hundreds to one decimal, small ones to 4 significant digits. */
export function metricText(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const size = Math.abs(value);
  if (size >= 1000) return formatCount(Math.round(value));
  if (size >= 100) return formatNumber(Number(value.toFixed(1)));
  return String(Number(value.toPrecision(4)));
}

/** "+1,234 (+5.2 %)" against the baseline, with whether that is better, worse or neither. */
export function deltaText(
  delta: number | null,
  relative: number | null,
  better: 'lower' | 'higher' | null,
): { text: string; tone: 'better' | 'worse' | 'same' | null } {
  if (delta === null) return { text: '—', tone: null };
  if (delta === 0) return { text: '±0', tone: 'same' };
  const sign = delta > 0 ? '+' : '−';
  const rel = relative === null ? '' : ` (${sign}${Math.abs(relative * 100).toFixed(1)} %)`;
  const text = `${sign}${metricText(Math.abs(delta))}${rel}`;
  if (!better) return { text, tone: null };
  const improved = better === 'lower' ? delta < 0 : delta > 0;
  return { text, tone: improved ? 'better' : 'worse' };
}

/** The run ids of a `?ids=a,b` query (trimmed, no empties, at most MAX_COMPARED distinct). */
export function idsOf(query: unknown): string[] {
  const raw = Array.isArray(query) ? query.join(',') : typeof query === 'string' ? query : '';
  return [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].slice(0, MAX_COMPARED);
}
