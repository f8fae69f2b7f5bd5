import { vi } from 'vitest';

export type Handler = (request: Request, params: Record<string, string>) => unknown;

/** A JSON answer; problem+json for error statuses, like the backend. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });
}

export function problem(
  status: number,
  detail: string,
  errors?: { field: string; message: string }[],
): Response {
  return json(
    { type: 'about:blank', title: 'Problem', status, detail, ...(errors ? { errors } : {}) },
    status,
  );
}

function match(pattern: string, method: string, path: string): Record<string, string> | null {
  const [pMethod, pPath] = pattern.split(' ') as [string, string];
  if (pMethod !== method) return null;
  const want = pPath.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return null;
  }
  return params;
}

/**
 * Stubs fetch with a table of `"METHOD /path/:param"` → handler (a value is answered as JSON, a
 * Response as is). Unknown routes answer 404 problem+json. Returns the recorded requests.
 */
export function mockApi(routes: Record<string, Handler | object>) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: Request | string, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(input, 'http://localhost/'), init);
    requests.push(request.clone()); // the handler may read the body too
    const url = new URL(request.url);
    for (const [pattern, handler] of Object.entries(routes)) {
      const params = match(pattern, request.method, url.pathname);
      if (!params) continue;
      const out = typeof handler === 'function' ? await (handler as Handler)(request, params) : handler;
      return out instanceof Response ? out : json(out);
    }
    return problem(404, `no route ${request.method} ${url.pathname}`);
  });
  vi.stubGlobal('fetch', fetch);
  return {
    fetch,
    requests,
    calls: (pattern: string) => requests.filter((r) => match(pattern, r.method, new URL(r.url).pathname)),
  };
}
