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

/** One signature field as a JSON Schema property: type, bounds, categories, and what training saw. */
function property(field: SignatureField): Record<string, unknown> {
  const observed = field.observed ? { 'x-observed': field.observed } : {};
  const common = {
    ...(field.description && { description: field.description }),
    ...(field.example !== undefined && { examples: [field.example] }),
    ...observed,
  };
  if (field.type === 'number')
    return {
      type: 'number',
      ...(field.min !== undefined && { minimum: field.min }),
      ...(field.max !== undefined && { maximum: field.max }),
      ...common,
    };
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
      'refused; `x-observed` is the range seen in training (outside it the price is less reliable); ' +
      'fields the model does not use are ignored.',
    type: 'object',
    properties: Object.fromEntries(signature.map((f) => [f.name, property(f)])),
    required: signature.filter((f) => f.required).map((f) => f.name),
    additionalProperties: true,
  };
}
