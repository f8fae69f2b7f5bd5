import type { OpenAPIObject } from '@nestjs/swagger';

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };
const P = 'https://housing.dev/problems/';

/** What POST /v1/predictions answers on each error status, as the ProblemFilter sends it. */
const PREDICTION_ERRORS: Record<string, { description: string; example: Record<string, unknown> }> = {
  '400': {
    description: 'Invalid record: `errors` names every bad field as `record.<field>`',
    example: {
      type: `${P}validation`,
      title: 'Validation failed',
      status: 400,
      detail: '2 fields are invalid: record.median_list_price, record.date',
      instance: '/v1/predictions',
      requestId: '3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11',
      errors: [
        { field: 'record.median_list_price', message: 'must be a number, got "a lot"' },
        { field: 'record.date', message: 'must be a date written YYYY-MM-DD, got "30/06/2022"' },
      ],
    },
  },
  '401': {
    description: 'No key, or a key that is unknown, revoked or expired',
    example: {
      type: `${P}unauthorized`,
      title: 'Unauthorized',
      status: 401,
      detail: 'missing API key: send it in the X-API-Key header or as Authorization: Bearer <key>',
      instance: '/v1/predictions',
      requestId: '3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11',
    },
  },
  '403': {
    description: 'The key lacks the `predict` scope',
    example: {
      type: `${P}forbidden`,
      title: 'Forbidden',
      status: 403,
      detail: 'this API key lacks the required scope: needs predict (or admin); the key has: batch',
      instance: '/v1/predictions',
      requestId: '3f1c2a4e-0b7d-4a55-9a55-2f0a3d1c9b11',
    },
  },
  '413': {
    description: 'Request body too large',
    example: {
      type: `${P}http-413`,
      title: 'Payload too large',
      status: 413,
      detail: 'Request body is too large',
      instance: '/v1/predictions',
    },
  },
  '415': {
    description: 'The body is not application/json',
    example: {
      type: `${P}http-415`,
      title: 'Unsupported media type',
      status: 415,
      detail: 'Unsupported Media Type: text/plain',
      instance: '/v1/predictions',
    },
  },
  '429': {
    description: "The key's rate limit is used up; wait `Retry-After` seconds",
    example: {
      type: `${P}rate-limited`,
      title: 'Too many requests',
      status: 429,
      detail: 'rate limit of 600 requests per minute for this API key exceeded; retry after 12 s',
      instance: '/v1/predictions',
    },
  },
  '503': {
    description: 'No model is loaded (`detail` says why); retry after `Retry-After` seconds',
    example: {
      type: `${P}no-model`,
      title: 'No model loaded',
      status: 503,
      detail: 'no model version is in production',
      instance: '/v1/predictions',
    },
  },
};

/**
 * Gives POST /v1/predictions one example per error status (Swagger UI otherwise shows the generic
 * ProblemDetails example, with a bulk field path, under every status) and links `record` to the JSON
 * Schema of the served model's fields.
 */
export function describePredictionOperation(document: OpenAPIObject): OpenAPIObject {
  const operation = document.paths['/v1/predictions']?.post;
  if (!operation) return document;
  for (const [code, { description, example }] of Object.entries(PREDICTION_ERRORS)) {
    // Keeps what the controller declared (e.g. the Retry-After header of 429); a fresh content object,
    // as every other error response shares one.
    operation.responses[code] = {
      ...operation.responses[code],
      description,
      content: { 'application/problem+json': { schema: PROBLEM_REF, example } },
    };
  }
  operation.description =
    '`record` holds the fields of the served model: their names, types, accepted ranges and the range seen ' +
    'in training are in [`GET /v1/models/current/schema`](#/models/CurrentModel_schema) (a JSON Schema ' +
    'generated from the model signature; it changes when another version is promoted) and in ' +
    '`GET /v1/models/current` (`signature`).';
  return document;
}
