import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError } from '@housing/ml';
import { PROBLEM_BASE, ProblemException, type ProblemDetails } from './problem';
import type { RouteTable } from './route-table';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  503: 'Service unavailable',
};

/** Turns every error into application/problem+json; unexpected errors are logged, never leaked. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  /** `routes`: the registered routes, to answer 405 (not 404) for another method on a known path. */
  constructor(private readonly routes?: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const allowed = this.methodNotAllowed(request);
    if (allowed) {
      exception = new ProblemException(
        HttpStatus.METHOD_NOT_ALLOWED,
        'method-not-allowed',
        'Method not allowed',
        `${request.method} is not supported on ${request.url.split('?')[0]}; allowed: ${allowed.join(', ')}`,
        undefined,
        { allow: allowed.join(', ') },
      );
    }
    const problem = this.toProblem(exception);
    problem.instance = request.url.split('?')[0];
    problem.requestId = String(request.id);
    if (exception instanceof ProblemException) {
      for (const [name, value] of Object.entries(exception.headers)) void reply.header(name, value);
    }
    // 503 is an answer (not ready, no model), not a fault of the server.
    if (problem.status >= 500 && problem.status !== 503)
      this.logger.error({ err: exception, requestId: request.id }, 'request failed');
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }

  /** The methods of a known path when the router found no route for this request's method. */
  private methodNotAllowed(request: FastifyRequest): string[] | undefined {
    // Nest's router answers an unmatched request with NotFoundException("Cannot <METHOD> <url>");
    // Fastify may refuse it earlier (a QUERY request without a content type): either way no route ran.
    if (!this.routes) return undefined;
    const allowed = this.routes.allowed(request.url.split('?')[0]!);
    // HEAD is answered by every GET route (Fastify's automatic HEAD routes), though not listed.
    const routed = allowed.includes(request.method) || (request.method === 'HEAD' && allowed.includes('GET'));
    return allowed.length > 0 && !routed ? allowed : undefined;
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) {
      return {
        type: PROBLEM_BASE + exception.problemType,
        title: exception.title,
        status: exception.getStatus(),
        detail: exception.message,
        ...(exception.errors && { errors: exception.errors }),
        ...exception.extensions,
      };
    }
    if (exception instanceof InputError) {
      return {
        type: PROBLEM_BASE + 'invalid-input',
        title: 'Invalid input',
        status: 400,
        detail: exception.message,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const checks = healthChecks(response);
      if (checks) {
        const failing = Object.entries(checks.error ?? {}).map(
          ([name, r]) => `${name}: ${r.message ?? r.status}`,
        );
        return {
          type: PROBLEM_BASE + 'not-ready',
          title: 'Not ready',
          status,
          detail: failing.join('; ') || 'a health check failed',
          ...{ checks: checks.details },
        };
      }
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? ([] as unknown[]).concat((response as { message: unknown }).message).join('; ')
          : exception.message;
      return {
        type: PROBLEM_BASE + `http-${status}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail: message,
      };
    }
    // Fastify's own errors (body too large, bad JSON, unsupported media type) carry a statusCode.
    const statusCode = (exception as { statusCode?: number }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return {
        type: PROBLEM_BASE + `http-${statusCode}`,
        title: TITLES[statusCode] ?? 'Bad request',
        status: statusCode,
        detail: (exception as Error).message,
      };
    }
    return {
      type: PROBLEM_BASE + 'internal',
      title: 'Internal server error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred; the request id identifies it in the logs.',
    };
  }
}

type HealthResponse = {
  status: string;
  error?: Record<string, { status: string; message?: string }>;
  details?: unknown;
};

/** @nestjs/terminus throws its check results as the body of a 503. */
function healthChecks(response: unknown): HealthResponse | undefined {
  return typeof response === 'object' && response !== null && 'details' in response && 'status' in response
    ? (response as HealthResponse)
    : undefined;
}
