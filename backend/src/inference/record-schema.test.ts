import { checkRecord, type SignatureField } from '@housing/ml';
import { recordJsonSchema } from './record-schema';

const signature: SignatureField[] = [
  {
    name: 'date',
    type: 'date',
    required: true,
    observed: { min: '2012-03-31', max: '2019-12-31' },
    example: '2016-06-30',
  },
  {
    name: 'avg_sale_to_list',
    type: 'number',
    required: false,
    min: 0,
    max: 3,
    observed: { min: 0.95, max: 1.01 },
    example: 0.99,
    description: 'Average sale to list ratio',
  },
  {
    name: 'zipcode',
    type: 'string',
    required: false,
    categories: ['30001', '30002'],
    unknownCategory: 'accepted; encoded as frequency 0',
    example: '30001',
  },
];

describe('recordJsonSchema', () => {
  it('describes every signature field with its type, bounds, typical value and training range', () => {
    const schema = recordJsonSchema({ name: 'housets-xgboost', version: 3 }, signature);
    expect(schema.title).toBe('Prediction record for housets-xgboost v3');
    expect(schema.required).toEqual(['date']);
    expect(Object.keys(schema.properties)).toEqual(['date', 'avg_sale_to_list', 'zipcode']);
    expect(schema.properties.date).toEqual({
      type: 'string',
      format: 'date',
      examples: ['2016-06-30'],
      'x-observed': { min: '2012-03-31', max: '2019-12-31' },
    });
    expect(schema.properties.avg_sale_to_list).toMatchObject({
      type: 'number',
      minimum: 0,
      maximum: 3,
      description: 'Average sale to list ratio. A value outside 0 to 3 is refused (400).',
      examples: [0.99],
    });
    expect(schema.properties.zipcode).toMatchObject({
      type: 'string',
      'x-known-values': ['30001', '30002'],
      'x-known-value-count': 2,
      'x-unknown-value': 'accepted; encoded as frequency 0',
    });
    expect(schema.additionalProperties).toBe(true);
  });
});

describe('recordJsonSchema follows the outliers policy serving applies', () => {
  const field = (outliers?: SignatureField['outliers']): SignatureField => ({
    name: 'sqft',
    type: 'number',
    required: true,
    min: 100,
    max: 20_000,
    ...(outliers && { outliers }),
    sentinels: [0],
  });

  it.each([
    [undefined, true, /outside 100 to 20000 is refused \(400\)/],
    ['drop_row', true, /outside 100 to 20000 is refused \(400\)/],
    ['missing', false, /outside 100 to 20000 is accepted and treated as missing.*imputed/],
    ['clip', false, /outside 100 to 20000 is accepted and clipped to the bound.*out_of_range/],
  ] as const)('outliers %s: refused %s, as the serving check does', (outliers, refused, text) => {
    const f = field(outliers);
    const property = recordJsonSchema({ name: 'm', version: 1 }, [f]).properties.sqft!;
    expect(property.description).toMatch(text);
    expect(property.description).toMatch(/0 means missing \(warning imputed\)/);
    expect(property['x-sentinels']).toEqual([0]);
    // Hard JSON Schema bounds exactly when serving refuses the value; advisory ones otherwise.
    expect('minimum' in property).toBe(refused);
    expect('x-minimum' in property).toBe(!refused);
    expect(property[refused ? 'maximum' : 'x-maximum']).toBe(20_000);
    const check = checkRecord({ sqft: 50_000 }, { signature: [f] });
    expect(check.errors.length > 0).toBe(refused);
    if (!refused)
      expect(check.warnings.map((w) => w.kind)).toEqual([outliers === 'clip' ? 'out_of_range' : 'imputed']);
  });
});
