import { reactive, ref, type Ref } from 'vue';
import type { CurrentModel, PredictionRecord, SignatureField } from '../api/types';
import { dateError, parseIsoDate } from '../dates';
import { formatNumber } from '../format';

/** Units of the HouseTS fields the signature does not carry; other specs simply show none. */
const UNITS: Record<string, string> = {
  price: 'USD',
  median_list_price: 'USD',
  median_sale_price: 'USD',
  median_ppsf: 'USD per sq ft',
  median_list_ppsf: 'USD per sq ft',
  median_dom: 'days',
  avg_sale_to_list: 'ratio',
  sold_above_list: 'share, 0 to 1',
  off_market_in_two_weeks: 'share, 0 to 1',
  'Per Capita Income': 'USD per year',
  'Median Rent': 'USD per month',
  'Median Home Value': 'USD',
  'Median Age': 'years',
  'Median Commute Time': 'minutes',
};

export function unitOf(field: Pick<SignatureField, 'name'>): string | undefined {
  return UNITS[field.name];
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const GROUPED = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/;

export type CheckedValue = { value?: number | string; error?: string };

/** Checks one raw input against its signature field, like the server does. Empty optional → no value. */
export function checkField(field: SignatureField, raw: string): CheckedValue {
  const text = raw.trim();
  if (text === '') return field.required ? { error: 'Required.' } : {};
  switch (field.type) {
    case 'number': {
      const plain = GROUPED.test(text) ? text.replace(/,/g, '') : text;
      const value = NUMBER.test(plain) ? Number(plain) : Number.NaN;
      if (!Number.isFinite(value)) return { error: 'Enter a number (digits, optionally a decimal point).' };
      if (field.min !== undefined && value < field.min)
        return { error: `Must be at least ${formatNumber(field.min)}.` };
      if (field.max !== undefined && value > field.max)
        return { error: `Must be at most ${formatNumber(field.max)}.` };
      return { value };
    }
    case 'date':
      return parseIsoDate(text) ? { value: text } : { error: dateError(text)! };
    default:
      return { value: text };
  }
}

/**
 * Whether a valid number lies outside the range seen in training (a hint, not an error). Dates are not
 * flagged: predicting months after the training data is the normal use.
 */
export function outsideObserved(field: SignatureField, raw: string): boolean {
  if (field.type !== 'number' || !field.observed) return false;
  const { value } = checkField(field, raw);
  const { min, max } = field.observed;
  return (
    typeof value === 'number' &&
    ((typeof min === 'number' && value < min) || (typeof max === 'number' && value > max))
  );
}

export function buildRecord(
  signature: readonly SignatureField[],
  values: Readonly<Record<string, string>>,
): { record: PredictionRecord; errors: Record<string, string> } {
  const record: PredictionRecord = {};
  const errors: Record<string, string> = {};
  for (const field of signature) {
    const { value, error } = checkField(field, values[field.name] ?? '');
    if (error) errors[field.name] = error;
    else if (value !== undefined) record[field.name] = value;
  }
  return { record, errors };
}

export interface FieldGroup {
  name: string;
  fields: SignatureField[];
}

const TITLE_CASE = /^[A-Z][a-z]+( [A-Z][a-z]+)+$/;

/**
 * Which group of the Predict form a field belongs to. Dates and categories (where and when) are the
 * essential fields; numbers go to their theme, required or not (a model may require every one of them,
 * and each is prefilled with its typical value). The signature carries no category, so HouseTS's
 * conventions are read (points of interest say so in their description, census columns are Title Case
 * words); any other spec falls back to numbers and categories.
 */
export function groupOf(field: SignatureField): string {
  if (field.type !== 'number') return 'Essential';
  if (/^points of interest/i.test(field.description ?? '')) return 'Points of interest';
  if (TITLE_CASE.test(field.name)) return 'Census of the zip code';
  return /^[a-z0-9_]+$/.test(field.name) ? 'Market' : 'Other numbers';
}

/** The signature in groups: essential fields (dates and categories) first, then the numbers by theme. */
export function groupFields(signature: readonly SignatureField[]): FieldGroup[] {
  const groups = new Map<string, SignatureField[]>([['Essential', []]]);
  for (const field of signature) {
    const name = groupOf(field);
    groups.set(name, [...(groups.get(name) ?? []), field]);
  }
  return [...groups.entries()].filter(([, f]) => f.length).map(([name, fields]) => ({ name, fields }));
}

/** "12 fields, 3 required" — what a collapsed group holds. */
export function groupSummary(fields: readonly SignatureField[]): string {
  const required = fields.filter((f) => f.required).length;
  const count = `${fields.length} field${fields.length === 1 ? '' : 's'}`;
  return required === 0 ? `${count}, optional` : `${count}, ${required} required`;
}

function asInput(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Form state for one record of a model's signature: raw inputs, per-field errors, the record to send. */
export function useRecordForm(model: Ref<CurrentModel | undefined>) {
  const values = reactive<Record<string, string>>({});
  const errors = ref<Record<string, string>>({});

  /**
   * Prefills a typical record: each field's typical value from the signature (the train median or most
   * frequent category, inside the range seen in training), else the package's example record.
   */
  function fillExample(): void {
    const m = model.value;
    if (!m) return;
    for (const field of m.signature)
      values[field.name] = asInput(field.example ?? m.exampleRecord[field.name]);
    errors.value = {};
  }

  /** Re-checks one field (after the user leaves it or corrects it). */
  function checkOne(field: SignatureField): void {
    const { error } = checkField(field, values[field.name] ?? '');
    const next = { ...errors.value };
    if (error) next[field.name] = error;
    else delete next[field.name];
    errors.value = next;
  }

  /** Checks every field; the record when all are valid, else null (and `errors` says why). */
  function validate(): PredictionRecord | null {
    const m = model.value;
    if (!m) return null;
    const built = buildRecord(m.signature, values);
    errors.value = built.errors;
    return Object.keys(built.errors).length === 0 ? built.record : null;
  }

  return { values, errors, fillExample, checkOne, validate };
}
