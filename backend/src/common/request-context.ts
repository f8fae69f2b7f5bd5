import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving one HTTP request carries. */
export interface RequestContext {
  requestId: string;
}

/**
 * The request being served, for code that has no request object (services, repositories): the logger's
 * mixin reads it, so their log lines carry the request id the response's X-Request-Id header names.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The current request's id, or undefined outside a request (startup, timers, the worker). */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
