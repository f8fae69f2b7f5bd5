import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Scope } from './scopes';

/** Who is calling: the authenticated API key. Set by ApiKeyGuard as `request.principal`. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
}

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/**
 * The caller's Principal as a handler parameter: `@Principal() principal: Principal`.
 * Only on authenticated routes; on a @Public() route there is no principal and this throws.
 */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal === undefined)
    throw new Error('@Principal() used on a route that is not authenticated (a @Public() route?)');
  return principal;
});
