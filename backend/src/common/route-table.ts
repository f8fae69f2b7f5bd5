/**
 * The methods each registered route path answers, so a request with another method on a known path
 * gets 405 with an Allow header (RFC 9110 §15.5.6) instead of 404. Filled by Fastify's onRoute hook.
 */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  add(method: string | string[], url: string): void {
    // Catch-all routes (the dashboard's GET /*, CORS preflights) say nothing about API paths.
    if (url.includes('*')) return;
    let methods = this.byUrl.get(url);
    if (!methods) {
      methods = new Set();
      this.byUrl.set(url, methods);
      this.routes.push({ pattern: RouteTable.compile(url), methods });
    }
    for (const m of ([] as string[]).concat(method)) methods.add(m.toUpperCase());
  }

  /** Methods answered at `path` (no query string); empty when no route matches it. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) for (const m of route.methods) out.add(m);
    if (out.has('GET')) out.add('HEAD');
    return [...out].sort();
  }

  /** `/v1/batch-jobs/:id` → /^\/v1\/batch-jobs\/[^/]+\/?$/. */
  private static compile(url: string): RegExp {
    const source = url
      .split('/')
      .map((segment) =>
        segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return new RegExp(`^${source}/?$`);
  }
}
