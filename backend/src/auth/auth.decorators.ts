import { SetMetadata, applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../openapi/setup';
import type { Scope } from './scopes';

export const IS_PUBLIC_KEY = 'auth:public';
export const REQUIRED_SCOPES_KEY = 'auth:scopes';

/** The route needs no API key (health, metrics). Every other route needs a valid key. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * The route needs an API key holding every listed scope (`admin` holds them all); with no scopes,
 * any valid key. Also documents the route in OpenAPI: both security schemes (X-API-Key or Bearer),
 * the scopes (`x-required-scopes`) and the 401/403/429 problem responses.
 */
export function RequireScopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  const needs =
    scopes.length === 0
      ? 'any valid API key'
      : `scope${scopes.length > 1 ? 's' : ''} ${scopes.join(', ')} (or admin)`;
  const decorators = [
    SetMetadata(REQUIRED_SCOPES_KEY, scopes),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({
      type: ProblemDetails,
      description: 'Missing, invalid, revoked or expired API key',
    }),
    ApiTooManyRequestsResponse({
      type: ProblemDetails,
      description: "The key's rate limit (requests per minute, counted per API instance) is used up",
      headers: {
        'Retry-After': {
          description: 'Seconds until a request is allowed again',
          schema: { type: 'integer', minimum: 1 },
        },
      },
    }),
  ];
  if (scopes.length > 0)
    decorators.push(ApiForbiddenResponse({ type: ProblemDetails, description: `The key lacks ${needs}` }));
  return applyDecorators(...decorators);
}
