import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { describePredictionOperation } from './examples';
import { servedRecordPatcher } from './served-record';
import { InferenceService } from '../inference/inference.service';

export const API_KEY_SCHEME = 'ApiKey';
export const BEARER_SCHEME = 'Bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Housing price platform API')
    .setDescription(
      'Predict housing prices with the registered production model, run batch jobs, manage models and API keys. ' +
        'Authenticate with an API key in the `X-API-Key` header (or `Authorization: Bearer <key>`). ' +
        'Errors are `application/problem+json` (RFC 9457) and name every bad field. ' +
        'The fields of a prediction `record` are described by `GET /v1/models/current/schema`. ' +
        '[Back to the dashboard](/)',
    )
    .setVersion('1.0.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key' }, API_KEY_SCHEME)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'The same API key as a bearer token' },
      BEARER_SCHEME,
    );
  // Swagger UI lists the sections in this order: what most callers need first, administration last.
  for (const [tag, description] of TAGS) config.addTag(tag, description);
  const built = config.build();
  const document = SwaggerModule.createDocument(app, built, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // The keys are opaque random strings, not JWTs (DocumentBuilder adds `bearerFormat: JWT` by default).
  const bearer = document.components?.securitySchemes?.[BEARER_SCHEME];
  if (bearer && 'bearerFormat' in bearer) delete bearer.bearerFormat;
  return describePredictionOperation(closeRequestBodies(completeErrorResponses(document)));
}

/**
 * JSON request bodies are validated with unknown properties refused (the global ValidationPipe's
 * forbidNonWhitelisted, the prediction envelopes): the document says so with
 * `additionalProperties: false` on every schema a JSON body reaches through $ref. Free-form objects
 * declared inline (a prediction record) keep what they declare.
 */
export function closeRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const ref = (node as { $ref?: string }).$ref;
    if (typeof ref === 'string') {
      const name = ref.replace('#/components/schemas/', '');
      const schema = schemas[name];
      if (!schema || seen.has(name)) return;
      seen.add(name);
      if (schema.type === 'object' || schema.properties) schema.additionalProperties ??= false;
      visit(schema.properties);
      return;
    }
    for (const value of Object.values(node)) visit(value);
  };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Array<{
      requestBody?: { content?: Record<string, { schema?: unknown }> };
    }>) {
      visit(operation?.requestBody?.content?.['application/json']?.schema);
    }
  }
  return document;
}

const TAGS: [string, string][] = [
  ['predictions', 'Price one record or up to 1,000 at once with the production model'],
  ['models', 'The served model, its fields, and the registered versions'],
  ['batch', 'Score CSV files in the background; monthly evaluation runs'],
  ['keys', 'API keys (administrators)'],
  ['health', 'Liveness and readiness'],
];

const PROBLEM = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };

/**
 * Every operation can answer some errors whatever its controller declares: 400 for an invalid request,
 * 404 when a path names something, 413/415 for bodies. They are added uniformly here, and every error
 * response is documented as application/problem+json, which is what the ProblemFilter sends.
 */
export function completeErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [route, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses;
      const add = (code: string, description: string) => (responses[code] ??= { description });
      add('400', 'Invalid request: `errors` names every bad field');
      if (route.includes('{')) add('404', 'Not found');
      if (method !== 'get' && method !== 'delete') {
        add('413', 'Request body too large');
        add('415', 'Unsupported content type');
      }
      for (const [code, response] of Object.entries(responses)) {
        if (Number(code) >= 400 && response && 'description' in response) response.content = PROBLEM;
      }
    }
  }
  return document;
}

/**
 * Swagger UI at /docs, the document at /docs-json. Both describe the prediction `record` of the model
 * served when they are fetched (its fields, ranges and an example it accepts, so "Try it out" works);
 * the committed openapi.json keeps the generic, model-independent form.
 */
export function setupOpenApi(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  const inference = app.get(InferenceService, { strict: false });
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Housing price API',
    // The key typed into "Authorize" survives a reload of the page (kept in this browser's localStorage).
    swaggerOptions: { persistAuthorization: true },
    patchDocumentOnRequest: servedRecordPatcher(() => inference.model()),
  });
  return document;
}
