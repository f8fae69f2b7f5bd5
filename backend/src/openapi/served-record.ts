import type { OpenAPIObject } from '@nestjs/swagger';
import { checkRecord, type ModelManifest, type SignatureField } from '@housing/ml';

type Schema = Record<string, unknown>;

/** What the document is patched from: the served version and its manifest (a LoadedModel). */
export interface ServedModel {
  version: { id: string | number; name: string; version: number };
  manifest: ModelManifest;
}

/**
 * A record the served model accepts, for Swagger UI's "Try it out": every field's typical value (the
 * train+eval median or most frequent category, as the dashboard prefills), or, should that ever be
 * refused, the package's first parity record (a raw row verified at registration).
 */
export function exampleRecordFor(manifest: ModelManifest): Record<string, unknown> {
  const typical = Object.fromEntries(
    manifest.signature.flatMap((f) => (f.example === undefined ? [] : [[f.name, f.example]])),
  );
  if (checkRecord(typical, manifest).errors.length === 0) return typical;
  const names = new Set(manifest.signature.map((f) => f.name));
  const parity = manifest.parity.records[0] ?? {};
  return Object.fromEntries(Object.entries(parity).filter(([name]) => names.has(name)));
}

const range = (f: SignatureField) =>
  f.min !== undefined && f.max !== undefined
    ? `${f.min} to ${f.max}`
    : f.min !== undefined
      ? `at least ${f.min}`
      : `at most ${f.max}`;

/**
 * One field as serving reads it, no stricter (what the schema calls invalid, the API refuses): numbers
 * also come as text ("$251,000"); bounds are hard only when serving refuses values outside them (other
 * policies clip or treat them as missing, with a warning); dates come in several forms; categories may
 * be numbers. An optional field may be null (read as missing).
 */
function fieldSchema(f: SignatureField): Schema {
  const text = { type: 'string', ...(!f.required && { nullable: true }) };
  const notes: string[] = f.description ? [f.description] : [];
  let schema: Schema;
  if (f.type === 'number') {
    const bounded = f.min !== undefined || f.max !== undefined;
    const refused = bounded && (f.outliers === undefined || f.outliers === 'drop_row');
    const number = {
      type: 'number',
      ...(refused && f.min !== undefined && { minimum: f.min }),
      ...(refused && f.max !== undefined && { maximum: f.max }),
    };
    const sentinels = f.sentinels?.length ? [{ enum: f.sentinels }] : [];
    notes.push('A number, or the same written as text ("$251,000", "1,200").');
    if (bounded)
      notes.push(
        refused
          ? `Refused outside ${range(f)}.`
          : `Outside ${range(f)}: ${f.outliers === 'clip' ? 'clipped' : 'treated as missing'}, as in training (with a warning).`,
      );
    schema = {
      anyOf: [number, ...sentinels, { ...text, description: 'The number written as text' }],
      ...(bounded && {
        'x-bounds': { min: f.min ?? null, max: f.max ?? null },
        'x-outliers': f.outliers ?? 'refused',
      }),
    };
  } else if (f.type === 'date') {
    notes.push('A date: YYYY-MM-DD (also YYYY-MM, YYYY/MM/DD or M/D/YYYY).');
    schema = text;
  } else {
    notes.push(
      f.levels ? `One of ${f.levels.join(', ')}.` : `Unknown values: ${f.unknownCategory ?? 'accepted'}.`,
    );
    schema = {
      anyOf: [text, { type: 'number' }],
      ...(f.categories?.length && {
        'x-known-values': f.categories.slice(0, 50),
        'x-known-value-count': f.categories.length,
      }),
      ...(f.levels && { 'x-levels': f.levels }),
    };
  }
  if (f.observed) notes.push(`Seen in training: ${f.observed.min} to ${f.observed.max}.`);
  return {
    ...schema,
    description: notes.join(' '),
    ...(f.example !== undefined && { example: f.example }),
    ...(f.observed && { 'x-observed': f.observed }),
  };
}

/** The served model's record as an OpenAPI 3.0 schema: its fields, required list, what each accepts. */
export function openApiRecordSchema(model: ServedModel): Schema {
  const { signature } = model.manifest;
  return {
    type: 'object',
    description:
      `The fields of the served model, ${model.version.name} v${model.version.version} (from its signature; ` +
      'this document follows the served version; GET /v1/models/current/schema gives it as a JSON Schema). ' +
      '`x-observed` is the range seen in training: outside it the price is less reliable. Fields the model ' +
      'does not use are ignored.',
    properties: Object.fromEntries(signature.map((f) => [f.name, fieldSchema(f)])),
    required: signature.filter((f) => f.required).map((f) => f.name),
    additionalProperties: true,
  };
}

/**
 * A copy of the generic document (the committed openapi.json, model-independent) whose prediction
 * `record` is described by the served model: its fields, what each accepts, the required list and an
 * example the model accepts (also the bulk example).
 */
export function withServedRecord(document: OpenAPIObject, model: ServedModel): OpenAPIObject {
  const patched = structuredClone(document);
  const schemas = (patched.components?.schemas ?? {}) as Record<
    string,
    { properties?: Record<string, Schema> }
  >;
  const record = openApiRecordSchema(model);
  const example = exampleRecordFor(model.manifest);
  const single = schemas.PredictionRequestDto?.properties;
  if (single) single.record = { ...record, example };
  // Bulk items stay free-form: a bad record is answered beside the others (200), not refused, so the
  // schema must not call it invalid; the example is a list of the served model's record.
  const bulk = schemas.BulkPredictionRequestDto?.properties?.records;
  if (bulk) Object.assign(bulk, { example: [example] });
  return patched;
}

/**
 * SwaggerModule's patchDocumentOnRequest: /docs-json and Swagger UI's init script describe the record
 * of the version served at the time of the request. The patched copy is rebuilt only when the served
 * version changes (a promotion or rollback), not per request.
 */
export function servedRecordPatcher(
  served: () => ServedModel | undefined,
): (req: unknown, res: unknown, document: OpenAPIObject) => OpenAPIObject {
  let cached: { key: string; document: OpenAPIObject } | undefined;
  return (_req, _res, document) => {
    const model = served();
    if (!model) return document;
    const key = `${model.version.id}:${model.version.name}:${model.version.version}`;
    if (cached?.key !== key) cached = { key, document: withServedRecord(document, model) };
    return cached.document;
  };
}
