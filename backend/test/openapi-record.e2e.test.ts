import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';
import { testModels, type TestModel } from './support/model-fixture';
import { auth, registerProduction } from './batch-support';

/**
 * The OpenAPI document served at /docs-json (and inlined in Swagger UI's init script) describes the
 * prediction `record` of the served model, so Swagger UI's "Try it out" sends a record the model
 * accepts; the committed openapi.json stays model-independent.
 */
jest.setTimeout(300_000);

let t: TestApp;
let first: TestModel;
let second: TestModel;

type Schema = {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  example: unknown;
  description: string;
};

const docsRecord = async () => {
  const doc = (await t.request().get('/docs-json').expect(200)).body;
  return {
    single: doc.components.schemas.PredictionRequestDto.properties.record as Schema,
    bulk: doc.components.schemas.BulkPredictionRequestDto.properties.records as {
      items: Schema;
      example: unknown[];
    },
  };
};

beforeAll(async () => {
  ({ first, second } = await testModels());
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('the prediction record in /docs-json', () => {
  it('is the generic committed form while no model is served', async () => {
    const committed = JSON.parse(readFileSync(path.join(__dirname, '..', 'openapi.json'), 'utf8'));
    const { single } = await docsRecord();
    expect(single).toEqual(committed.components.schemas.PredictionRequestDto.properties.record);
    expect(single.properties).toBeUndefined();
  });

  it("describes the served model's fields, and its example answers 200 on POST /v1/predictions", async () => {
    const { version } = await registerProduction(t, first);
    const { single, bulk } = await docsRecord();
    const signature = first.pkg.manifest.signature;
    expect(Object.keys(single.properties)).toEqual(signature.map((f) => f.name));
    expect(single.required).toEqual(signature.filter((f) => f.required).map((f) => f.name));
    expect(single.required.length).toBeGreaterThan(10);
    // Bounds serving clips or imputes (HouseTS: missing) are described, never declared as refusals.
    for (const field of signature.filter((f) => f.type === 'number' && f.max !== undefined)) {
      expect(single.properties[field.name]).toMatchObject({ 'x-bounds': { max: field.max } });
      expect(JSON.stringify(single.properties[field.name])).not.toContain('"maximum"');
    }
    expect(single.description).toContain(`v${version}`);
    // "Try it out" sends exactly this example: the served model prices it.
    const predicted = await t.request().post('/v1/predictions').set(auth(t)).send({ record: single.example });
    expect(predicted.status).toBe(200);
    expect(predicted.body.price).toBeGreaterThan(0);
    // A category named like a member of Object.prototype is just an unseen category (it was a 500).
    const odd = {
      ...(single.example as Record<string, unknown>),
      city_full: 'toString',
      zipcode: 'constructor',
    };
    const oddAnswer = await t.request().post('/v1/predictions').set(auth(t)).send({ record: odd });
    expect(oddAnswer.status).toBe(200);
    expect(oddAnswer.body.warnings.map((w: { kind: string }) => w.kind)).toContain('unseen_category');
    const bulkPredicted = await t
      .request()
      .post('/v1/predictions/bulk')
      .set(auth(t))
      .send({ records: bulk.example });
    expect(bulkPredicted.status).toBe(200);
    expect(bulk.items.required).toBeUndefined(); // a bad bulk record is answered beside the others (200)
    // Swagger UI's init script carries the same document (pretty-printed: its one-line description).
    const init = (await t.request().get('/docs/swagger-ui-init.js').expect(200)).text;
    expect(init).toContain(JSON.stringify(single.description));
  });

  it('follows a promotion: the example becomes the newly served model’s', async () => {
    const before = (await docsRecord()).single;
    const { version } = await registerProduction(t, second);
    const after = (await docsRecord()).single;
    expect(after.description).toContain(`v${version}`);
    // The two test models were trained on different data: their typical values differ.
    expect(after.example).not.toEqual(before.example);
    const predicted = await t.request().post('/v1/predictions').set(auth(t)).send({ record: after.example });
    expect(predicted.status).toBe(200);
    expect(predicted.body.model.version).toBe(version);
  });
});
