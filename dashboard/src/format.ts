// Number and date formatting in one place (en-US, the dataset's currency is USD).
const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const compactMoney = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });
const month = new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' });

export const formatMoney = (value: number): string => money.format(value);
export const formatCompactMoney = (value: number): string => compactMoney.format(value);
export const formatCount = (value: number): string => integer.format(value);
export const formatNumber = (value: number): string => decimal.format(value);
export const formatPercent = (value: number, digits = 1): string => `${value.toFixed(digits)} %`;
export const formatRatio = (value: number, digits = 3): string => value.toFixed(digits);

export function formatDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : dateTime.format(d);
}

export function formatDate(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : date.format(d);
}

/** `"03"` → `March`. */
export function monthName(mm: string): string {
  const n = Number(mm);
  return n >= 1 && n <= 12 ? month.format(new Date(Date.UTC(2000, n - 1, 1))) : mm;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `median_list_price` → `Median list price`; names with spaces keep their own capitals. */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A file name cut after its separators (`_ - . space`), so it wraps there and never mid-word. */
export function breakableName(name: string): string[] {
  return name.split(/(?<=[_\-. /])/);
}
