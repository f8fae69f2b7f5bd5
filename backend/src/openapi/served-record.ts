import type { OpenAPIObject } from '@nestjs/swagger';
import { checkRecord, type ModelManifest } from '@housing/ml';
import { recordJsonSchema } from '../inference/record-schema';

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

/**
 * The served model's record as an OpenAPI 3.0 schema: the JSON Schema of GET /v1/models/current/schema
 * with 3.0's `example` in place of 2020-12's `examples` (Swagger UI reads `example`).
 */
export function openApiRecordSchema(model: ServedModel): Schema {
  const json = recordJsonSchema(model.version, model.manifest.signature);
  const properties = Object.fromEntries(
    Object.entries(json.properties).map(([name, { examples, ...rest }]) => [
      name,
      Array.isArray(examples) ? { ...rest, example: examples[0] } : rest,
    ]),
  );
  return {
    type: 'object',
    description:
      `The fields of the served model, ${model.version.name} v${model.version.version} (from its signature; ` +
      'this document follows the served version). ' +
      json.description,
    properties,
    required: json.required,
    additionalProperties: true,
  };
}

/**
 * A copy of the generic document (the committed openapi.json, model-independent) whose prediction
 * `record` (single and bulk) is described by the served model: its fields, types, ranges, required
 * list, and an example the model accepts.
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
  const bulk = schemas.BulkPredictionRequestDto?.properties?.records;
  if (bulk) Object.assign(bulk, { items: record, example: [example] });
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
