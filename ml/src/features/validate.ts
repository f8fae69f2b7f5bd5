import { checkPlan } from './row-plan';
import type { SignatureField } from './signature';
import type { FeatureSet } from './types';

export { EXTRAPOLATION_DAYS } from './row-plan';

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
  const plan = checkPlan(manifest.signature, manifest.features);
  plan.loadRecord(record);
  return plan.check(0, { errors: [], warnings: [] });
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
