import type { SignatureField } from '@housing/ml';
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
      description: 'Average sale to list ratio',
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
