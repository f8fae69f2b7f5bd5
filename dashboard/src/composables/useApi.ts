import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../api/schema';
import type { FieldProblem, Problem } from '../api/types';
import { apiKey, clearKey } from './sessionState';

/** A failed API call, with the problem+json body when the server sent one and a message in plain words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The problem's field errors by field name, with `prefix` (e.g. `record.`) taken off the names. */
  fieldErrors(prefix = ''): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { field, message } of this.problem?.errors ?? []) {
      const name = prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field;
      out[name] = out[name] ? `${out[name]}; ${message}` : message;
    }
    return out;
  }

  /** Field errors that do not start with `prefix`: they belong to the form as a whole. */
  otherErrors(prefix: string): FieldProblem[] {
    return (this.problem?.errors ?? []).filter((e) => !e.field.startsWith(prefix));
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && 'status' in body && 'title' in body;
}

/** The message to show for a failed response, in plain words. */
function describeFailure(response: Response, body: unknown): string {
  const problem = isProblem(body) ? body : undefined;
  if (response.status === 429) {
    const wait = response.headers.get('retry-after');
    return `Too many requests with this key. ${wait ? `Wait ${wait} s and try again.` : 'Wait a moment and try again.'}`;
  }
  if (problem?.detail) return problem.detail;
  if (problem?.title) return problem.title;
  if (response.status >= 500)
    return `The server failed to answer (status ${response.status}). Try again in a moment.`;
  return `The request failed (status ${response.status}${response.statusText ? ` ${response.statusText}` : ''}).`;
}

const NETWORK_MESSAGE = 'Cannot reach the API server. Check that it is running and try again.';

const keyHeader: Middleware = {
  onRequest({ request }) {
    if (apiKey.value && !request.headers.has('x-api-key')) request.headers.set('x-api-key', apiKey.value);
    return request;
  },
};

// The one client of the backend. `fetch` is looked up on each call (not captured once) so that
// tests can stub it.
const client = createClient<paths>({ baseUrl: '', fetch: (request) => globalThis.fetch(request) });
client.use(keyHeader);

interface Settled<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError in plain words.
 * A 401 or 403 on a signed-in session signs out with the server's reason (the app then shows sign-in).
 */
async function unwrap<T>(pending: Promise<Settled<T>>): Promise<T> {
  let settled: Settled<T>;
  try {
    settled = await pending;
  } catch {
    throw new ApiError(0, NETWORK_MESSAGE);
  }
  const { data, error, response } = settled;
  if (response.ok) return data as T;
  const problem = isProblem(error) ? error : undefined;
  const message = describeFailure(response, error);
  if ((response.status === 401 || response.status === 403) && apiKey.value) {
    clearKey(response.status === 403 ? `This key is not allowed to do that: ${message}` : message);
  }
  throw new ApiError(response.status, message, problem);
}

/**
 * Saves a file answer of the API (a call made with `parseAs: 'blob'`) through a Blob download link,
 * so the download carries the key header like every other call.
 */
async function saveFile(pending: Promise<Settled<Blob>>, filename: string): Promise<void> {
  const blob = await unwrap(pending);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The generated, typed API client with the key header, and helpers for its results. */
export function useApi() {
  return { client, unwrap, saveFile };
}
