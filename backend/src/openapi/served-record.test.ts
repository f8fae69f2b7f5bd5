import type { OpenAPIObject } from '@nestjs/swagger';
import { checkRecord, type ModelManifest, type SignatureField } from '@housing/ml';
import { exampleRecordFor, servedRecordPatcher, withServedRecord, type ServedModel } from './served-record';

const signature: SignatureField[] = [
  {
    name: 'date',
    type: 'date',
    required: true,
    observed: { min: '2012-03-31', max: '2019-12-31' },
    example: '2016-06-30',
  },
  { name: 'avg_sale_to_list', type: 'number', required: true, min: 0, max: 3, example: 0.99 },
  { name: 'zipcode', type: 'string', required: true, categories: ['30001', '30002'], example: '30001' },
];

const manifest = (fields: SignatureField[], parity: Record<string, unknown>[] = []) =>
  ({
    signature: fields,
    features: { names: [], encoders: [] },
    parity: { records: parity },
  }) as unknown as ModelManifest;

const served = (version: number, fields = signature): ServedModel => ({
  version: { id: `id-${version}`, name: 'housets-xgboost', version },
  manifest: manifest(fields),
});

/** The generic document's two request bodies, as buildOpenApiDocument writes them. */
const generic = (): OpenAPIObject =>
  ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {},
    components: {
      schemas: {
        PredictionRequestDto: {
          type: 'object',
          properties: { record: { type: 'object', additionalProperties: true, example: { old: 1 } } },
        },
        BulkPredictionRequestDto: {
          type: 'object',
          properties: { records: { type: 'array', items: { type: 'object' }, example: [{ old: 1 }] } },
        },
      },
    },
  }) as OpenAPIObject;

const recordOf = (doc: OpenAPIObject) =>
  (doc.components!.schemas!.PredictionRequestDto as { properties: Record<string, Record<string, unknown>> })
    .properties.record!;

describe('served record in the OpenAPI document', () => {
  it('describes the record with the served fields, required list and an example the model accepts', () => {
    const doc = withServedRecord(generic(), served(3));
    const record = recordOf(doc);
    expect(record.required).toEqual(['date', 'avg_sale_to_list', 'zipcode']);
    expect(record.properties).toMatchObject({
      date: { type: 'string', example: '2016-06-30', 'x-observed': signature[0]!.observed },
      // Refused outside its bounds (no outliers policy): hard bounds; text is accepted too ("$1,200").
      avg_sale_to_list: {
        anyOf: [{ type: 'number', minimum: 0, maximum: 3 }, { type: 'string' }],
        example: 0.99,
      },
      zipcode: { anyOf: [{ type: 'string' }, { type: 'number' }], 'x-known-values': ['30001', '30002'] },
    });
    expect(record.description).toContain('housets-xgboost v3');
    expect(record.example).toEqual({ date: '2016-06-30', avg_sale_to_list: 0.99, zipcode: '30001' });
    expect(checkRecord(record.example as Record<string, unknown>, manifest(signature)).errors).toEqual([]);
    const bulk = (
      doc.components!.schemas!.BulkPredictionRequestDto as {
        properties: Record<string, Record<string, unknown>>;
      }
    ).properties.records!;
    expect(bulk.example).toEqual([record.example]);
    // Bulk answers a bad record beside the others (200): its items stay free-form.
    expect(bulk.items).toEqual({ type: 'object' });
  });

  it('is never stricter than serving: bounds another policy clips or imputes are not hard, optional may be null', () => {
    const lenient: SignatureField[] = [
      { name: 'sqft', type: 'number', required: true, min: 0, outliers: 'missing' },
      { name: 'ratio', type: 'number', required: false, min: 0, max: 1, outliers: 'clip', sentinels: [-1] },
      { name: 'quality', type: 'string', required: true, levels: ['Po', 'Gd'] },
    ];
    const props = recordOf(withServedRecord(generic(), served(4, lenient))).properties as Record<
      string,
      { anyOf: Record<string, unknown>[]; description: string }
    >;
    expect(props.sqft!.anyOf[0]).toEqual({ type: 'number' });
    expect(props.sqft!.description).toContain('treated as missing');
    expect(props.ratio!.anyOf).toEqual([
      { type: 'number' },
      { enum: [-1] },
      { type: 'string', nullable: true, description: 'The number written as text' },
    ]);
    expect(props.ratio!.description).toContain('clipped');
    // Levels are compared after normalisation ("gd" is Gd): described, not an enum.
    expect(JSON.stringify(props.quality)).not.toContain('"enum"');
    expect(props.quality!.description).toContain('One of Po, Gd');
  });

  it('leaves the generic document untouched', () => {
    const doc = generic();
    withServedRecord(doc, served(3));
    expect(recordOf(doc)).toEqual({ type: 'object', additionalProperties: true, example: { old: 1 } });
  });

  it("falls back to the package's parity record, limited to signature fields, when typical values are refused", () => {
    const noExample = signature.map((f) => (f.name === 'zipcode' ? { ...f, example: undefined } : f));
    const parity = { date: '2018-01-31', avg_sale_to_list: 1, zipcode: '30002', price: 250000 };
    expect(exampleRecordFor(manifest(noExample, [parity]))).toEqual({
      date: '2018-01-31',
      avg_sale_to_list: 1,
      zipcode: '30002',
    });
  });

  it('rebuilds the patched document only when the served version changes', () => {
    let current: ServedModel | undefined;
    const patch = servedRecordPatcher(() => current);
    const base = generic();
    expect(patch(null, null, base)).toBe(base);
    current = served(1);
    const first = patch(null, null, base);
    expect(recordOf(first).description).toContain('v1');
    expect(patch(null, null, base)).toBe(first);
    current = served(2, [signature[0]!]);
    const second = patch(null, null, base);
    expect(second).not.toBe(first);
    expect(recordOf(second).required).toEqual(['date']);
    expect(recordOf(second).description).toContain('v2');
  });
});
