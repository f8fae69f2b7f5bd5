import type { SignatureField } from '@housing/ml';

/** A JSON Schema (2020-12) of the `record` a model takes, so clients and Swagger show its fields. */
export interface RecordJsonSchema {
  $schema: string;
  $id: string;
  title: string;
  description: string;
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  additionalProperties: true;
}

/** What serving does with a number outside the field's bounds, as the field's `outliers` policy says. */
function boundsText(field: SignatureField): string | undefined {
  if (field.min === undefined && field.max === undefined) return undefined;
  const range =
    field.min !== undefined && field.max !== undefined
      ? `outside ${field.min} to ${field.max}`
      : field.min !== undefined
        ? `below ${field.min}`
        : `above ${field.max}`;
  if (field.outliers === 'missing')
    return `A value ${range} is accepted and treated as missing, as in training (warning imputed).`;
  if (field.outliers === 'clip')
    return `A value ${range} is accepted and clipped to the bound, as in training (warning out_of_range).`;
  return `A value ${range} is refused (400).`;
}

/**
 * A number field's bounds: JSON Schema `minimum`/`maximum` only where serving refuses a value outside
 * them (`outliers: drop_row`, or a package without a policy); under `missing` and `clip` the value is
 * accepted with a warning, so the bounds are `x-minimum`/`x-maximum`, which no validator enforces.
 */
function numberBounds(field: SignatureField): Record<string, unknown> {
  const refused = field.outliers === undefined || field.outliers === 'drop_row';
  const [low, high] = refused ? ['minimum', 'maximum'] : ['x-minimum', 'x-maximum'];
  return {
    ...(field.min !== undefined && { [low]: field.min }),
    ...(field.max !== undefined && { [high]: field.max }),
    ...(field.outliers !== undefined && { 'x-outliers': field.outliers }),
    ...(field.sentinels?.length && { 'x-sentinels': field.sentinels }),
  };
}

/** One signature field as a JSON Schema property: type, bounds, categories, and what training saw. */
function property(field: SignatureField): Record<string, unknown> {
  const observed = field.observed ? { 'x-observed': field.observed } : {};
  const notes =
    field.type === 'number'
      ? [
          boundsText(field),
          field.sentinels?.length
            ? `${field.sentinels.join(', ')} mean${field.sentinels.length === 1 ? 's' : ''} missing (warning imputed).`
            : undefined,
        ]
      : [];
  const own =
    field.description && notes.some(Boolean)
      ? field.description.replace(/([^.!?])$/, '$1.')
      : field.description;
  const description = [own, ...notes].filter(Boolean).join(' ');
  const common = {
    ...(description && { description }),
    ...(field.example !== undefined && { examples: [field.example] }),
    ...observed,
  };
  if (field.type === 'number') return { type: 'number', ...numberBounds(field), ...common };
  if (field.type === 'date') return { type: 'string', format: 'date', ...common };
  return {
    type: 'string',
    ...(field.categories?.length && {
      'x-known-values': field.categories.slice(0, 50),
      'x-known-value-count': field.categories.length,
    }),
    ...(field.unknownCategory && { 'x-unknown-value': field.unknownCategory }),
    ...common,
  };
}

/** Pure: the JSON Schema of a prediction record for a model version's signature. */
export function recordJsonSchema(
  model: { name: string; version: number },
  signature: readonly SignatureField[],
): RecordJsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:housing:model:${model.name}:${model.version}:record`,
    title: `Prediction record for ${model.name} v${model.version}`,
    description:
      'The `record` of POST /v1/predictions for the served model. Numbers outside `minimum`/`maximum` are ' +
      "refused; numbers outside `x-minimum`/`x-maximum` are accepted and, as the field's `x-outliers` policy says, " +
      'treated as missing or clipped, with a warning in the response; `x-sentinels` values mean missing. ' +
      '`x-observed` is the range seen in training (outside it the price is less reliable and warned about); ' +
      'fields the model does not use are ignored.',
    type: 'object',
    properties: Object.fromEntries(signature.map((f) => [f.name, property(f)])),
    required: signature.filter((f) => f.required).map((f) => f.name),
    additionalProperties: true,
  };
}
