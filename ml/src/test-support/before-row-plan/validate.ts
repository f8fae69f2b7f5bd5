// Test oracle: ml/src/features/validate.ts as it was before the row plan (commit 5003058), with its imports pointed here. The parity tests (score/row-plan-parity.test.ts) compare today's code with it, row by row and byte by byte. Not used by anything else.
import {
  ACCEPTED_DATE_FORMATS,
  DATE_YEARS,
  formatDate,
  missingTokenSet,
  readCategory,
  readDate,
  readDateParts,
  readNumber,
  ValueStatus,
} from './values';
import type { SignatureField } from '../../features/signature';
import type { DateEncoder, FeatureSet } from '../../features/types';

export interface FieldError {
  field: string;
  message: string;
}

/** Why a prediction deserves less trust, by kind (the /metrics label and the batch column's words). */
export const WARNING_KINDS = ['unseen_category', 'out_of_range', 'imputed', 'extrapolated_date'] as const;
export type WarningKind = (typeof WARNING_KINDS)[number];

export interface FieldWarning {
  field: string;
  kind: WarningKind;
  message: string;
}

export interface RecordCheck {
  errors: FieldError[];
  warnings: FieldWarning[];
}

export interface ValidateOptions {
  /** Kept for callers of the earlier API: text and JSON values are now read alike everywhere. */
  coerceText?: boolean;
}

/** How far past the dates the model was fit on a date may lie before its prediction is flagged. */
export const EXTRAPOLATION_DAYS = 365;

const typeName = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
const isAbsent = (value: unknown, missing: ReadonlySet<string>) =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && missing.has(value.trim().toLowerCase()));

type FieldCheck = (record: Readonly<Record<string, unknown>>, result: RecordCheck) => void;

function fieldCheck(field: SignatureField): FieldCheck {
  const name = field.name;
  const missing = missingTokenSet(field.missingTokens);
  const scratch = { value: NaN };
  const sentinels = new Set(field.sentinels ?? []);
  const categories = field.categories && !field.levels ? new Set(field.categories) : undefined;
  const levels = field.levels ? new Set(field.levels) : undefined;
  const observed = field.observed;
  return (record, { errors, warnings }) => {
    const value = record[name];
    if (isAbsent(value, missing)) {
      if (field.required) {
        const got =
          typeof value === 'string' && value.trim() !== ''
            ? ` (got ${JSON.stringify(value)}, which means missing)`
            : '';
        errors.push({ field: name, message: `is required${got}` });
      } else
        warnings.push({ field: name, kind: 'imputed', message: 'missing: the model treats it as unknown' });
      return;
    }
    switch (field.type) {
      case 'number': {
        if (typeof value !== 'number' && typeof value !== 'string') {
          errors.push({ field: name, message: `must be a number, got ${typeName(value)}` });
          return;
        }
        const status = readNumber(value, scratch, missing);
        const x = scratch.value;
        if (status === ValueStatus.Invalid) {
          errors.push({ field: name, message: `must be a number, got ${JSON.stringify(value)}` });
          return;
        }
        if (status === ValueStatus.Missing) return;
        if (sentinels.has(x)) {
          // The transform reads a sentinel as missing, as in training: the price is made without it.
          warnings.push({
            field: name,
            kind: 'imputed',
            message: `${x} means missing (a sentinel of this column): the model treats it as unknown`,
          });
          return;
        }
        const low = field.min !== undefined && x < field.min;
        const high = field.max !== undefined && x > field.max;
        if (low || high) {
          const bound = low ? `at least ${field.min}` : `at most ${field.max}`;
          // Packages without an outliers policy rejected every out-of-bounds value; they still do.
          if (field.outliers === undefined || field.outliers === 'drop_row') {
            errors.push({ field: name, message: `must be ${bound}, got ${x}` });
          } else if (field.outliers === 'missing') {
            warnings.push({
              field: name,
              kind: 'imputed',
              message: `${x} is not ${bound}: treated as missing, as in training`,
            });
          } else {
            warnings.push({
              field: name,
              kind: 'out_of_range',
              message: `${x} is not ${bound}: clipped, as in training`,
            });
          }
          return;
        }
        if (observed && (x < (observed.min as number) || x > (observed.max as number))) {
          warnings.push({
            field: name,
            kind: 'out_of_range',
            message: `${x} is outside the training range ${observed.min} to ${observed.max}`,
          });
        }
        return;
      }
      case 'date':
        if (typeof value !== 'string' || Number.isNaN(readDate(value))) {
          errors.push({
            field: name,
            message: `must be a date written ${ACCEPTED_DATE_FORMATS}, got ${JSON.stringify(value)}`,
          });
        }
        return;
      case 'string': {
        if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
          errors.push({ field: name, message: `must be a string, got ${typeName(value)}` });
          return;
        }
        if (!levels && !categories) return;
        const category = readCategory(value, field.normalize, missing);
        if (category === undefined) return;
        if (levels && !levels.has(category)) {
          errors.push({
            field: name,
            message: `must be one of ${field.levels!.join(', ')}, got ${JSON.stringify(value)}`,
          });
        } else if (categories && !categories.has(category)) {
          warnings.push({
            field: name,
            kind: 'unseen_category',
            message: `"${category}" was not seen in training`,
          });
        }
        return;
      }
    }
  };
}

/** Dates read by the model (date features and derived features' date inputs), once per column. */
function modelDates(features: FeatureSet | undefined): DateEncoder[] {
  const dates = new Map<string, DateEncoder>();
  for (const encoder of features?.encoders ?? []) {
    if (encoder.kind === 'date') dates.set(encoder.column, encoder);
    if (encoder.kind === 'derived')
      for (const input of encoder.inputs) if (input.kind === 'date') dates.set(input.column, input);
  }
  return [...dates.values()];
}

/** Assembled dates must form a real date; every date far outside the fitted range is flagged. */
function dateCheck(encoder: DateEncoder): FieldCheck {
  const missing = missingTokenSet(encoder.missingTokens);
  const assemble = encoder.assemble;
  const field = assemble ? assemble.year : (encoder.source ?? encoder.column);
  const fitted = encoder.fitted;
  return (record, { errors, warnings }) => {
    let days: number;
    if (assemble) {
      const hasDay = assemble.day !== undefined;
      const read = readDateParts(
        record[assemble.year],
        record[assemble.month],
        hasDay ? record[assemble.day!] : undefined,
        hasDay,
        missing,
      );
      if (read.absent) return;
      if (Number.isNaN(read.days)) {
        const parts = [assemble.year, assemble.month, ...(hasDay ? [assemble.day!] : [])];
        errors.push({
          field,
          message: `with ${parts.slice(1).join(' and ')} does not form a date from ${DATE_YEARS.min} to ${DATE_YEARS.max} (${parts.map((p) => JSON.stringify(record[p])).join(', ')})`,
        });
        return;
      }
      days = read.days;
    } else {
      days = readDate(record[field]);
    }
    if (!fitted || Number.isNaN(days)) return;
    if (days > fitted.max + EXTRAPOLATION_DAYS || days < fitted.min - EXTRAPOLATION_DAYS) {
      warnings.push({
        field,
        kind: 'extrapolated_date',
        message: `${formatDate(days)} is more than ${EXTRAPOLATION_DAYS} days outside the dates the model was fit on (${formatDate(fitted.min)} to ${formatDate(fitted.max)})`,
      });
    }
  };
}

const compiledFields = new WeakMap<readonly SignatureField[], FieldCheck[]>();
const compiledDates = new WeakMap<FeatureSet, FieldCheck[]>();

/** The checks of a signature and feature set, built once per loaded manifest. */
function checksFor(signature: readonly SignatureField[], features: FeatureSet | undefined): FieldCheck[] {
  let fields = compiledFields.get(signature);
  if (!fields) compiledFields.set(signature, (fields = signature.map(fieldCheck)));
  if (!features) return fields;
  let dates = compiledDates.get(features);
  if (!dates) compiledDates.set(features, (dates = modelDates(features).map(dateCheck)));
  return dates.length > 0 ? [...fields, ...dates] : fields;
}

/**
 * Checks one raw record against a model's input signature: every bad field named (errors: the record
 * cannot be priced), and what lowers the trust in its price (warnings). Fields the signature does not
 * list are ignored (a whole CSV row, target included, may be sent as is). The values are read by the
 * same readers as training and the transform, so a value means the same in the API, batch and CLI.
 */
export function checkRecord(
  record: Readonly<Record<string, unknown>>,
  manifest: { signature: readonly SignatureField[]; features?: FeatureSet },
): RecordCheck {
  const result: RecordCheck = { errors: [], warnings: [] };
  for (const check of checksFor(manifest.signature, manifest.features)) check(record, result);
  if (result.errors.length > 0) result.warnings.length = 0;
  return result;
}

/** The errors of checkRecord alone (the API of earlier versions). */
export function validateRecord(
  record: Readonly<Record<string, unknown>>,
  signature: readonly SignatureField[],
  _options: ValidateOptions = {},
): FieldError[] {
  return checkRecord(record, { signature }).errors;
}

/** Warnings as one CSV cell: "kind field: message; …". */
export function formatWarnings(warnings: readonly FieldWarning[]): string {
  return warnings.map((w) => `${w.kind} ${w.field}: ${w.message}`).join('; ');
}
