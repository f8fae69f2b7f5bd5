/**
 * The methods each registered route path answers, so a request with another method on a known path
 * gets 405 with an Allow header (RFC 9110 §15.5.6) instead of 404. Filled by Fastify's onRoute hook.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string>; static: boolean }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  add(method: string | string[], url: string): void {
    // Catch-all routes (the dashboard's GET /*, CORS preflights) say nothing about API paths.
    if (url.includes('*')) return;
    let methods = this.byUrl.get(url);
    if (!methods) {
      methods = new Set();
      this.byUrl.set(url, methods);
      this.routes.push({ pattern: RouteTable.compile(url), methods, static: !url.includes(':') });
    }
    for (const m of ([] as string[]).concat(method)) methods.add(m.toUpperCase());
  }

  /**
   * Methods of the resource at `path` (no query string); empty when no route matches it. A path a
   * static route names exactly (`/v1/keys/me`) is that resource, not an instance of a parametric one
   * (`/v1/keys/:id`). HEAD is answered for every GET but, like the OpenAPI document, not listed.
   */
  allowed(path: string): string[] {
    const matching = this.routes.filter((route) => route.pattern.test(path));
    const exact = matching.filter((route) => route.static);
    const out = new Set<string>();
    for (const route of exact.length > 0 ? exact : matching) for (const m of route.methods) out.add(m);
    out.delete('HEAD');
    return [...out].sort();
  }

  /** `/v1/batch-jobs/:id` → /^\/v1\/batch-jobs\/[^/]+\/?$/. */
  private static compile(url: string): RegExp {
    const source = url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    return new RegExp(`^${source}/?$`);
  }
}
