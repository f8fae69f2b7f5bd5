import { HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { ProblemException } from '../common/problem';
import { IS_PUBLIC_KEY, REQUIRED_SCOPES_KEY } from './auth.decorators';
import { AuthService, MISSING_KEY_DETAIL } from './auth.service';
import type { AuthenticatedRequest } from './principal';
import { hasScopes, type Scope } from './scopes';

interface RouteAuth {
  public: boolean;
  scopes: Scope[];
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The presented key: the X-API-Key header, else `Authorization: Bearer <key>`. */
export function extractApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  const direct = (Array.isArray(header) ? header[0] : header)?.trim();
  if (direct) return direct;
  const authorization = headers.authorization;
  const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
  return match?.[1];
}

/**
 * Global guard (APP_GUARD): every route needs a valid API key unless marked @Public(). Order:
 * authenticate (401) → rate limit (429, so refused requests count too) → scopes (403).
 * Sets `request.principal` and the X-RateLimit-Limit / X-RateLimit-Remaining headers.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** Route metadata per controller class and handler, read once (this runs on every request). */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const route = this.route(context);
    if (route.public) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const key = extractApiKey(request.headers);
    if (key === undefined) {
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        'unauthorized',
        'Unauthorized',
        MISSING_KEY_DETAIL,
        undefined,
        {
          'www-authenticate': 'Bearer realm="housing-api"',
        },
      );
    }
    const principal = await this.auth.authenticate(key);
    const rate = this.auth.takeRateLimit(principal);
    const reply = http.getResponse<FastifyReply>();
    void reply.header('x-ratelimit-limit', String(rate.limit));
    void reply.header('x-ratelimit-remaining', String(rate.remaining));
    if (!rate.allowed) throw this.auth.rateLimitProblem(rate);
    if (!hasScopes(principal.scopes, route.scopes)) {
      const has = principal.scopes.length > 0 ? principal.scopes.join(', ') : 'none';
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        'forbidden',
        'Forbidden',
        `this API key lacks the required scope${route.scopes.length > 1 ? 's' : ''}: needs ${route.scopes.join(', ')} (or admin); the key has: ${has}`,
      );
    }
    request.principal = principal;
    return true;
  }

  private route(context: ExecutionContext): RouteAuth {
    const handler = context.getHandler();
    const controller = context.getClass();
    let handlers = this.routes.get(controller);
    if (handlers === undefined) this.routes.set(controller, (handlers = new WeakMap()));
    let route = handlers.get(handler);
    if (route === undefined) {
      const targets = [handler, controller];
      route = {
        public: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true,
        scopes: this.reflector.getAllAndOverride<Scope[]>(REQUIRED_SCOPES_KEY, targets) ?? [],
      };
      handlers.set(handler, route);
    }
    return route;
  }
}
