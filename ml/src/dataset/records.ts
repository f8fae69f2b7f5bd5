import { formatDate } from '../clean/values';
import type { PreparedDataset } from './prepare';
import { isInputColumn } from '../spec/schema';

/**
 * Reads row `i` of a prepared dataset back as a raw record (what an API client would send), so the
 * training export goes through the very transform that serving uses. `into` is reused across rows
 * to avoid allocating one object per row; missing values are left undefined.
 */
export function recordReader(
  data: PreparedDataset,
): (i: number, into?: Record<string, unknown>) => Record<string, unknown> {
  const shared = new Set(Object.keys(data.rawText));
  const fieldOf = new Map(data.spec.columns.filter(isInputColumn).map((c) => [c.name, c.source ?? c.name]));
  const own = <T>(entries: [string, T][]) =>
    entries
      .map(([name, value]) => [fieldOf.get(name) ?? name, value] as [string, T])
      .filter(([field]) => !shared.has(field));
  const numeric = own(Object.entries(data.numeric));
  const categories = own(Object.entries(data.categories));
  const dates = own(
    Object.entries(data.dates).filter(
      ([name]) => !data.spec.columns.some((c) => c.name === name && c.role === 'date' && c.assemble),
    ),
  );
  const raw = Object.entries(data.rawText);
  const dateText = new Map<number, string>();
  const formatCached = (days: number) => {
    let text = dateText.get(days);
    if (text === undefined) dateText.set(days, (text = formatDate(days)));
    return text;
  };
  return (i, into = {}) => {
    for (const [name, values] of numeric) into[name] = Number.isNaN(values[i]!) ? undefined : values[i];
    for (const [name, { codes, values }] of categories)
      into[name] = codes[i]! >= 0 ? values[codes[i]!] : undefined;
    for (const [name, days] of dates) into[name] = formatCached(days[i]!);
    for (const [name, { codes, values }] of raw) into[name] = values[codes[i]!];
    return into;
  };
}

/**
 * The shortest decimal that reads back as the same float32: numbers are stored as float32, and
 * 88.76 reads better than 88.76000213623047 in a fixture or a form, while meaning the same input.
 */
export function shortestFloat32(value: number): number {
  for (let digits = 6; digits < 10; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** A JSON-ready copy of a record: missing fields omitted, float32 values written short. */
export function compactRecord(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, typeof v === 'number' ? shortestFloat32(v) : v]),
  );
}
