import { readDate, readNumber, ValueStatus } from '../clean/values';
import type { SignatureField } from './signature';

export interface FieldError {
  field: string;
  message: string;
}

export interface ValidateOptions {
  /**
   * CSV mode: values arrive as text, so numbers may carry stray characters ("$1,234") that cleaning
   * repairs. JSON mode (false) wants real JSON numbers.
   */
  coerceText?: boolean;
}

const typeName = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * Checks one raw record against a model's input signature and names every bad field. Fields the
 * signature does not list are ignored (a whole CSV row, target included, may be sent as is).
 */
export function validateRecord(
  record: Readonly<Record<string, unknown>>,
  signature: readonly SignatureField[],
  options: ValidateOptions = {},
): FieldError[] {
  const errors: FieldError[] = [];
  const scratch = { value: NaN };
  for (const field of signature) {
    const value = record[field.name];
    const absent = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
    if (absent) {
      if (field.required) errors.push({ field: field.name, message: 'is required' });
      continue;
    }
    switch (field.type) {
      case 'number': {
        if (typeof value !== 'number' && !(options.coerceText && typeof value === 'string')) {
          errors.push({ field: field.name, message: `must be a number, got ${typeName(value)}` });
          break;
        }
        const status = readNumber(value, scratch);
        if (status === ValueStatus.Invalid) {
          errors.push({ field: field.name, message: `must be a number, got ${JSON.stringify(value)}` });
        } else if (status !== ValueStatus.Missing) {
          if (field.min !== undefined && scratch.value < field.min) {
            errors.push({ field: field.name, message: `must be at least ${field.min}, got ${scratch.value}` });
          } else if (field.max !== undefined && scratch.value > field.max) {
            errors.push({ field: field.name, message: `must be at most ${field.max}, got ${scratch.value}` });
          }
        }
        break;
      }
      case 'date':
        if (typeof value !== 'string' || Number.isNaN(readDate(value))) {
          errors.push({ field: field.name, message: `must be a date written YYYY-MM-DD, got ${JSON.stringify(value)}` });
        }
        break;
      case 'string':
        if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
          errors.push({ field: field.name, message: `must be a string, got ${typeName(value)}` });
        }
        break;
    }
  }
  return errors;
}
